using System.Collections.Concurrent;
using System.Diagnostics;
using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.Hosting.Tests;

/// <summary>
/// The ASP.NET Core sample (samples/AspNetCoreHost) as an operator runs it: started from its build
/// output with its ports given on the command line, a NATS.Net client talks to the server inside
/// it, the health check is green, and SIGTERM stops it cleanly through lame duck mode.
/// </summary>
[CancelAfter(90_000)]
public class SampleAppTests
{
    [Test]
    public async Task StartsServesNatsReportsHealthyAndStopsThroughLameDuck(CancellationToken cancellationToken)
    {
        var ports = FreePorts.Take(3);
        var (natsPort, monitoringPort, webPort) = (ports[0], ports[1], ports[2]);
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { SampleApp.Dll, $"--urls=http://127.0.0.1:{webPort}", $"--Nats:port={natsPort}", $"--Nats:http_port={monitoringPort}", "--Nats:host=127.0.0.1" },
            WorkingDirectory = Path.GetDirectoryName(SampleApp.Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var app = Process.Start(psi)!;
        var log = new ConcurrentQueue<string>();
        app.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        app.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}"), Timeout = TimeSpan.FromSeconds(5) };
            string? health = null;
            await Eventually.TrueAsync(async () =>
            {
                Assert.That(app.HasExited, Is.False, "the sample exited:\n" + string.Join('\n', log));
                try
                {
                    health = await http.GetStringAsync("/health", cancellationToken);
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100, cancellationToken);
                }
                return health is not null;
            }, "the sample's /health", TimeSpan.FromSeconds(30));
            Assert.That(health, Is.EqualTo("Healthy"));

            await using (var client = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{natsPort}" }))
            {
                await client.ConnectAsync();
                await using var subscription = await client.SubscribeCoreAsync<string>("greet", cancellationToken: cancellationToken);
                await client.PingAsync(cancellationToken);
                await client.PublishAsync("greet", "hello from NATS.Net", cancellationToken: cancellationToken);
                var message = await subscription.Msgs.ReadAsync(cancellationToken);
                Assert.That(message.Data, Is.EqualTo("hello from NATS.Net"));
                Assert.That(await http.GetStringAsync("/nats", cancellationToken), Does.Contain("\"connections\":1"));
                // The server's monitoring port is the stock server's, /metrics included.
                var metrics = await http.GetStringAsync($"http://127.0.0.1:{monitoringPort}/metrics", cancellationToken);
                Assert.That(metrics, Does.Match(@"gnatsd_varz_connections\{server_id=""[A-Z0-9]+""\} 1\n"));

                using var kill = Process.Start("kill", ["-TERM", app.Id.ToString()])!;
                await kill.WaitForExitAsync(cancellationToken);
                // Lame duck mode: the client is told (INFO ldm) and then disconnected.
                await Eventually.TrueAsync(() => client.ConnectionState != NatsConnectionState.Open, "the client to be disconnected", TimeSpan.FromSeconds(20));
            }
            await app.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            var output = string.Join('\n', log);
            Assert.That(app.ExitCode, Is.EqualTo(0), output);
            Assert.That(output, Does.Contain("Entering lame duck mode"));
            Assert.That(output, Does.Contain("Server Exiting.."));
        }
        finally
        {
            if (!app.HasExited)
            {
                app.Kill(entireProcessTree: true);
            }
        }
    }
}
