using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

[CancelAfter(BudgetMs)]
public sealed class PubSubTests : InteropTest
{
    [Test]
    public async Task ThousandMessagesArriveInOrderWithExactPayloads([Values] ClientKind client)
    {
        var server = await Scope.StartServerAsync();

        var result = await Scope.RunClientAsync(client, "pubsub", Args(("servers", server.Url), ("count", 1000)));

        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.Long("received"), Is.EqualTo(1000), result.RawLine);
            Assert.That(result.Long("out_of_order"), Is.Zero, result.RawLine);
            Assert.That(result.Long("bad_payloads"), Is.Zero, result.RawLine);
        });
    }

    [Test]
    public async Task WildcardSubscriptionsReceiveExactlyTheMatchingSubjects([Values] ClientKind client)
    {
        var server = await Scope.StartServerAsync();

        // Published in this order: wc.a, wc.a.b, wc.b, wc, other.a, wc.a.baz, wc.end, wc.end.baz.
        var result = await Scope.RunClientAsync(client, "wildcard", Args(("servers", server.Url)));

        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.Strings("star"), Is.EqualTo(new[] { "wc.a", "wc.b", "wc.end" }), "wc.*");
            Assert.That(result.Strings("gt"), Is.EqualTo(new[] { "wc.a", "wc.a.b", "wc.b", "wc.a.baz", "wc.end", "wc.end.baz" }), "wc.>");
            Assert.That(result.Strings("star_baz"), Is.EqualTo(new[] { "wc.a.baz", "wc.end.baz" }), "wc.*.baz");
        });
    }
}
