using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

[CancelAfter(BudgetMs)]
public sealed class ReconnectTests : InteropTest
{
    [Test]
    public async Task ClientReconnectsAfterServerRestartAndReplaysSubscriptions([Values] ClientKind client)
    {
        var server = await Scope.StartServerAsync();
        var clientTimeout = TimeSpan.FromSeconds(40);
        var process = await Scope.StartClientAsync(client, "reconnect", Args(("servers", server.Url), ("count", 10)), clientTimeout);

        // The client has subscribed and exchanged a message; now take the server away and
        // bring a fresh process back on the same port and config.
        await process.WaitForEventAsync("ready", TimeSpan.FromSeconds(20), TestScope.Token);
        await server.StopAsync(graceful: true);
        await server.StartAsync(TestScope.Token);

        var result = await process.WaitForResultAsync(TestScope.ResultTimeout(clientTimeout), TestScope.Token);
        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.Long("disconnects"), Is.GreaterThanOrEqualTo(1), result.RawLine);
            Assert.That(result.Long("reconnects"), Is.GreaterThanOrEqualTo(1), result.RawLine);
            Assert.That(result.Long("replayed_received"), Is.EqualTo(10), "messages on the subscription made before the restart");
            Assert.That(result.Long("fresh_received"), Is.EqualTo(10), "messages published by the reconnected client");
        });
    }
}
