using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

[CancelAfter(BudgetMs)]
public sealed class NoRespondersTests : InteropTest
{
    [Test]
    public async Task RequestWithoutSubscribersFailsFastWithNoResponders([Values] ClientKind client)
    {
        const int requestTimeoutMs = 5000;
        var server = await Scope.StartServerAsync();

        var result = await Scope.RunClientAsync(client, "no-responders",
            Args(("servers", server.Url), ("request_timeout_ms", requestTimeoutMs)));

        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.Bool("got_reply"), Is.False, result.RawLine);
            Assert.That(result.Bool("no_responders"), Is.True, "expected the client's no-responders error: " + result.RawLine);
            // A timeout would take the full 5 s; the 503 status comes back in one round trip.
            Assert.That(result.Long("elapsed_ms"), Is.LessThan(2000), result.RawLine);
        });
    }
}
