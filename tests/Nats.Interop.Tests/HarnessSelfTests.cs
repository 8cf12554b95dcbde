using System.Net;
using System.Net.Sockets;
using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests;

/// <summary>
/// Checks of the harness's own parsing, so a guard that silently matched nothing cannot make
/// the interop tests look stricter than they are. No server or client involved.
/// </summary>
[CancelAfter(10_000)]
public sealed class HarnessSelfTests
{
    [TestCase("0100007F", false, ExpectedResult = true)]   // 127.0.0.1
    [TestCase("0200007F", false, ExpectedResult = true)]   // 127.0.0.2
    [TestCase("00000000", false, ExpectedResult = false)]  // 0.0.0.0
    [TestCase("0100000A", false, ExpectedResult = false)]  // 10.0.0.1
    [TestCase("00000000000000000000000001000000", true, ExpectedResult = true)]   // ::1
    [TestCase("00000000000000000000000000000000", true, ExpectedResult = false)]  // ::
    [TestCase("0000000000000000FFFF00000100007F", true, ExpectedResult = true)]   // ::ffff:127.0.0.1
    [TestCase("0000000000000000FFFF00000100000A", true, ExpectedResult = false)]  // ::ffff:10.0.0.1
    public bool LoopbackAddressesAreRecognised(string hex, bool v6) => LoopbackGuard.IsLoopback(hex, v6);

    [Test]
    public void GuardSeesThisProcesssOwnLoopbackListener()
    {
        if (!Directory.Exists("/proc/self/fd"))
            Assert.Ignore("needs Linux /proc");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var mine = LoopbackGuard.Listeners(Environment.ProcessId).Where(l => l.Port == port).ToList();
            Assert.That(mine, Has.Count.EqualTo(1));
            Assert.That(mine[0].Loopback, Is.True);
        }
        finally
        {
            listener.Stop();
        }
    }

    [TestCase("127.0.0.1:4222", ExpectedResult = 4222)]
    [TestCase("nats://127.0.0.1:4223", ExpectedResult = 4223)]
    [TestCase("tls://localhost:4224/", ExpectedResult = 4224)]
    [TestCase("no-port", ExpectedResult = -1)]
    public int PortsAreParsedFromConnectUrls(string url) => InfoProbe.PortOf(url);
}
