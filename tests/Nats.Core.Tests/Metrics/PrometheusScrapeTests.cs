using System.Diagnostics;
using System.Text.Json.Nodes;
using Nats.Core.Tests.Monitoring;
using Nats.TestSupport;

namespace Nats.Core.Tests.Metrics;

/// <summary>A real Prometheus (Debian's, installed by ./test.sh) scrapes /metrics and answers a query.</summary>
[CancelAfter(60_000)]
public class PrometheusScrapeTests
{
    [Test]
    public async Task PrometheusScrapesTheServerAndAnswersForItsConnectionCount(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        await fixture.ConnectAsync("SUB foo 1\r\n", cancellationToken);
        await fixture.ConnectAsync("SUB bar 1\r\n", cancellationToken);
        await fixture.ConnectAsync("SUB baz 1\r\n", cancellationToken);

        var directory = Directory.CreateTempSubdirectory("prometheus-test");
        var port = FreePorts.Take();
        var config = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: nats
                static_configs:
                  - targets: ['127.0.0.1:{fixture.Server.Monitoring.Port}']
            """, cancellationToken);
        var psi = new ProcessStartInfo("prometheus")
        {
            ArgumentList =
            {
                "--config.file=" + config,
                "--storage.tsdb.path=" + Path.Combine(directory.FullName, "data"),
                "--web.listen-address=127.0.0.1:" + port,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var prometheus = Process.Start(psi)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        prometheus.ErrorDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        prometheus.OutputDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
            var query = Uri.EscapeDataString($"gnatsd_varz_connections{{server_id=\"{fixture.Server.ServerId}\"}}");
            string? answer = null;
            await Eventually.TrueAsync(async () =>
            {
                Assert.That(prometheus.HasExited, Is.False, "prometheus exited: " + string.Join('\n', log));
                try
                {
                    var json = JsonNode.Parse(await http.GetStringAsync($"/api/v1/query?query={query}", cancellationToken))!;
                    answer = json["data"]?["result"]?.AsArray().FirstOrDefault()?["value"]?[1]?.GetValue<string>();
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
                if (answer is null)
                {
                    await Task.Delay(200, cancellationToken);
                }
                return answer is not null;
            }, "Prometheus to answer the query for gnatsd_varz_connections:\n" + string.Join('\n', log), TimeSpan.FromSeconds(45));
            Assert.That(answer, Is.EqualTo("3"));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync(CancellationToken.None);
            directory.Delete(recursive: true);
        }
    }
}
