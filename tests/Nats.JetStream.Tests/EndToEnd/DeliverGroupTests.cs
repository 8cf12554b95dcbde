using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>A push consumer with a deliver group: each message goes to one member of the queue group.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class DeliverGroupTests
{
    [Test]
    public async Task A_deliver_group_spreads_each_message_to_exactly_one_member(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var client = server.Client();
        var js = client.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("DG", ["dg.>"]), ct);
        var got = new int[2];
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var members = new List<Task>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        for (var m = 0; m < 2; m++)
        {
            var member = m;
            members.Add(Task.Run(async () =>
            {
                await foreach (var msg in client.SubscribeAsync<int>("deliver.dg", queueGroup: "workers", cancellationToken: stop.Token))
                {
                    if (msg.Headers is null)
                    {
                        Interlocked.Increment(ref got[member]);
                        seen.AddOrUpdate(msg.Data, 1, (_, n) => n + 1);
                    }
                }
            }, stop.Token));
        }
        await client.PingAsync(ct);
        await js.CreateOrUpdateConsumerAsync("DG", new ConsumerConfig("pusher") { DeliverSubject = "deliver.dg", DeliverGroup = "workers", AckPolicy = ConsumerConfigAckPolicy.None }, ct);
        for (var i = 0; i < 200; i++)
        {
            (await js.PublishAsync($"dg.{i}", i, cancellationToken: ct)).EnsureSuccess();
        }
        await Eventually.TrueAsync(() => seen.Count == 200, "all 200 delivered", TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        Assert.That(seen.Values.All(n => n == 1), Is.True, "each message to one member only");
        Assert.That(got, Has.All.GreaterThan(0), "both members of the group got messages");
        var info = await js.GetConsumerAsync("DG", "pusher", ct);
        Assert.That(info.Info.Config.DeliverGroup, Is.EqualTo("workers"));
    }
}
