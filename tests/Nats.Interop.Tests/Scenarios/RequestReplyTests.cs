using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

[CancelAfter(BudgetMs)]
public sealed class RequestReplyTests : InteropTest
{
    [Test]
    public async Task HundredRequestsEachGetTheirOwnReply([Values] ClientKind client)
    {
        var server = await Scope.StartServerAsync();

        var result = await Scope.RunClientAsync(client, "request", Args(("servers", server.Url), ("count", 100)));

        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.Long("replies_ok"), Is.EqualTo(100), result.RawLine);
            Assert.That(result.Long("replies_bad"), Is.Zero, result.RawLine);
            Assert.That(result.Long("errors"), Is.Zero, result.RawLine);
        });
    }
}
