using System.Net.Sockets;
using Nats.Host.Signals;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// A client that connects while the server is still starting (as tooling that polls the port
/// does) must get the server's INFO once the port accepts it, never a closed connection: the
/// port accepted before INFO was built, and such a client was dropped with an error.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class StartupRaceEndToEndTests
{
    [Test]
    public async Task Every_connection_accepted_during_start_up_is_greeted_with_info([Values(1, 2, 3)] int round)
    {
        using var dir = new TempDirectory();
        var port = FreePorts.Take();
        dir.Write("s.conf", $"listen: 127.0.0.1:{port}\n");
        using var host = HostProcess.Start(dir.Path, "-c", "s.conf");
        var deadline = DateTime.UtcNow + HostProcess.DefaultWait;
        var greeted = false;
        var attempts = 0;
        while (!greeted)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"round {round}: no INFO within {HostProcess.DefaultWait}; log: {host.StandardOutput}{host.StandardError}");
            Assert.That(host.HasExited, Is.False, $"round {round}: the server exited: {host.StandardError}");
            try
            {
                // Accepted (or queued): the first bytes must be INFO, not an end of stream (ConnectAsync asserts it).
                await using var client = await RawClient.ConnectAsync(port);
            }
            catch (SocketException)
            {
                attempts++;
                await Task.Delay(1); // polling a port that does not listen yet
                continue;
            }
            greeted = true;
        }
        Assert.That(host.StandardOutput + host.StandardError, Does.Not.Contain("unexpected error"));
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0), $"refused {attempts} times before listening");
    }
}
