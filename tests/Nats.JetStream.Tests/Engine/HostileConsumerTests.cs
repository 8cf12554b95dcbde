using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Engine;

/// <summary>
/// Hostile input on consumers: a pull consumer that never acks and asks for a huge batch stays
/// bounded by its max_ack_pending, and the stream, the API and other consumers keep being served.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class HostileConsumerTests
{
    [Test]
    public async Task A_consumer_that_never_acks_and_asks_for_everything_does_not_hold_up_the_others()
    {
        using var h = new AccountHarness(StorageType.File);
        h.CreateStream("S", "", "s.>");
        // Durable: an ephemeral consumer idle for its default inactive_threshold (5 s) is deleted,
        // and on a loaded machine the 200 fsynced publishes below can take longer than that while
        // OK has no request waiting. Expiries are long for the same reason; nothing here waits them out.
        h.CreateConsumer("S", "HOG", "\"durable_name\":\"HOG\",\"ack_policy\":\"explicit\",\"max_ack_pending\":3,\"ack_wait\":300000000000");
        h.CreateConsumer("S", "OK", "\"durable_name\":\"OK\",\"ack_policy\":\"explicit\"");
        // A batch of a billion with a long expiry: a count, nothing allocated per message.
        var hog = h.Pull("S", "HOG", "{\"batch\":1000000000,\"expires\":300000000000}");

        for (var i = 1; i <= 200; i++)
        {
            await h.PublishAsync("s." + (i % 7), "m" + i);
        }
        var hogGot = await h.WaitDeliveriesAsync(hog, 3);
        var ok = h.Pull("S", "OK", "{\"batch\":200,\"expires\":300000000000}");
        var okGot = await h.WaitDeliveriesAsync(ok, 200);
        Assert.That(okGot.Select(m => m.Payload), Is.EqualTo(Enumerable.Range(1, 200).Select(i => "m" + i)));
        foreach (var m in okGot)
        {
            h.AckNoReply(m);
        }

        Assert.That(h.Deliveries(hog), Has.Count.EqualTo(3), "max_ack_pending bounds the consumer that never acks");
        var info = h.ConsumerInfo("S", "HOG");
        Assert.That((info.GetProperty("num_ack_pending").GetInt32(), info.GetProperty("num_pending").GetUInt64()), Is.EqualTo((3, 197UL)));
        Assert.That(info.GetProperty("num_waiting").GetInt32(), Is.EqualTo(1), "its request still waits, taking nothing from the others");
        Assert.That(h.ConsumerInfo("S", "OK").GetProperty("num_pending").GetUInt64(), Is.Zero);
        Assert.That(hogGot.Select(m => m.Payload), Is.EqualTo(new[] { "m1", "m2", "m3" }));
    }
}
