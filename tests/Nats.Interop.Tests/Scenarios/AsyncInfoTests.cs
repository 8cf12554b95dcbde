using Nats.Interop.Tests.Infrastructure;
using Nats.TestSupport;

namespace Nats.Interop.Tests.Scenarios;

/// <summary>
/// libnats keeps only the latest INFO: its client id and address come from whichever INFO came
/// last, so an asynchronous INFO (lame duck's, or the one announcing a new cluster member's
/// connect_urls) must carry them as the first one did.
/// </summary>
[CancelAfter(BudgetMs)]
public sealed class AsyncInfoTests : InteropTest
{
    [Test]
    public async Task CClientKeepsItsClientIdAndIpAfterTheLameDuckInfo()
    {
        var server = await Scope.StartServerAsync();
        var process = await Scope.StartClientAsync(ClientKind.C, "client-info", Args(("servers", server.Url)));
        await process.WaitForEventAsync("ready", TimeSpan.FromSeconds(20), TestScope.Token);
        Assert.That(Posix.EnterLameDuckMode(server.Pid), Is.True, "SIGUSR2 delivered");

        var result = await process.WaitForResultAsync(TestScope.ResultTimeout(null), TestScope.Token);
        // Lame duck would wait out its grace period before shutting down; the test is done.
        await server.StopAsync(graceful: false);

        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.String("id_after_status"), Is.EqualTo("OK"), result.RawLine);
            Assert.That(result.Long("id_after"), Is.EqualTo(result.Long("id_before")).And.GreaterThan(0), result.RawLine);
            Assert.That(result.String("ip_after_status"), Is.EqualTo("OK"), result.RawLine);
            Assert.That(result.String("ip_after"), Is.EqualTo("127.0.0.1"), result.RawLine);
        });
    }

    [Test]
    public async Task CClientKeepsItsClientIdAndIpAfterTheConnectUrlsInfo()
    {
        var routePorts = FreePorts.Take(2);
        var first = await Scope.StartServerAsync(
            $"cluster {{\n  name: ai\n  listen: 127.0.0.1:{routePorts[0]}\n}}\n", name: "a1");
        var process = await Scope.StartClientAsync(ClientKind.C, "client-info-urls", Args(("servers", first.Url)));
        await process.WaitForEventAsync("ready", TimeSpan.FromSeconds(20), TestScope.Token);
        // A second member joins: the first pushes its clients an INFO with the new connect_urls.
        var second = await Scope.StartServerAsync(
            $"cluster {{\n  name: ai\n  listen: 127.0.0.1:{routePorts[1]}\n  routes: [nats-route://127.0.0.1:{routePorts[0]}]\n}}\n", name: "a2");

        var result = await process.WaitForResultAsync(TestScope.ResultTimeout(null), TestScope.Token);
        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.Strings("discovered").Select(InfoProbe.PortOf), Does.Contain(second.Port), result.RawLine);
            Assert.That(result.String("id_after_status"), Is.EqualTo("OK"), result.RawLine);
            Assert.That(result.Long("id_after"), Is.EqualTo(result.Long("id_before")).And.GreaterThan(0), result.RawLine);
            Assert.That(result.String("ip_after_status"), Is.EqualTo("OK"), result.RawLine);
            Assert.That(result.String("ip_after"), Is.EqualTo("127.0.0.1"), result.RawLine);
        });
    }
}
