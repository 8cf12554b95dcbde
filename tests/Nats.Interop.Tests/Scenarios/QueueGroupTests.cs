using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

[CancelAfter(BudgetMs)]
public sealed class QueueGroupTests : InteropTest
{
    [Test]
    public async Task EachMessageGoesToOneGroupMemberAndToThePlainSubscriber([Values] ClientKind client)
    {
        const int count = 300;
        var server = await Scope.StartServerAsync();

        var result = await Scope.RunClientAsync(client, "queue", Args(("servers", server.Url), ("count", count)));

        result.AssertOk();
        var perMember = result.Longs("queue_counts");
        Assert.Multiple(() =>
        {
            Assert.That(perMember.Sum(), Is.EqualTo(count), "deliveries within the group: " + result.RawLine);
            Assert.That(result.Long("queue_unique"), Is.EqualTo(count), "distinct messages seen by the group");
            Assert.That(result.Long("queue_duplicates"), Is.Zero, "messages delivered to more than one member");
            Assert.That(result.Long("plain_received"), Is.EqualTo(count), "deliveries to the plain subscriber");
            Assert.That(result.Long("plain_unique"), Is.EqualTo(count), "distinct messages seen by the plain subscriber");
            // The server picks a member per message at random; with 300 messages a member
            // getting none means the group is not being load-balanced at all.
            Assert.That(perMember, Has.All.GreaterThan(0), "every member should get a share: " + result.RawLine);
        });
    }
}
