using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>The stock host under a systemd <c>Type=notify</c> unit: READY=1 once it listens, STOPPING=1 when it stops.</summary>
[CancelAfter(60_000)]
public class SystemdNotifyTests
{
    [Test]
    public async Task TellsSystemdWhenReadyAndWhenStopping(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("sd-notify");
        var socketPath = Path.Combine(directory.FullName, "notify.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(socketPath));
        var port = FreePorts.Take();
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { HostExecutable.Path, "-a", "127.0.0.1", "-p", port.ToString() },
            WorkingDirectory = directory.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["NOTIFY_SOCKET"] = socketPath;
        using var host = Process.Start(psi)!;
        var output = new StringBuilder();
        host.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        host.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            Assert.That(await ReceiveAsync(systemd, cancellationToken), Is.EqualTo("READY=1"));
            // Ready means listening.
            await using (var client = await RawClient.ConnectAsync(port))
            {
            }
            using (var kill = Process.Start("kill", ["-TERM", host.Id.ToString()])!)
            {
                await kill.WaitForExitAsync(cancellationToken);
            }
            Assert.That(await ReceiveAsync(systemd, cancellationToken), Is.EqualTo("STOPPING=1"));
            await host.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            Assert.That(host.ExitCode, Is.EqualTo(0), output.ToString());
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill();
            }
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received);
    }
}
