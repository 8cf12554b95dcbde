using Nats.JetStream.Engine.Consumers;
using Nats.JetStream.Storage;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Engine;

/// <summary>Redelivery: ack_wait, backoff, -NAK with and without delay, +WPI, +TERM, max_deliver with its advisory.</summary>
[TestFixture(StorageType.File)]
[TestFixture(StorageType.Memory)]
[CancelAfter(30_000)]
public sealed class RedeliveryTests(StorageType type)
{
    private AccountHarness _h = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = new AccountHarness(type);
        _h.CreateStream("S", "", "s.>");
        await _h.PublishAsync("s.1", "one");
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    private static ulong Delivered(Sent m) => AckSubject.TryParse(m.Reply!, out var a) ? a.Delivered : 0;

    [Test]
    public async Task AckWaitExpiryRedeliversWithCount()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"ack_wait\":200000000");
        var inbox = _h.Pull("S", "C", "{\"batch\":2,\"expires\":10000000000}");
        var got = await _h.WaitDeliveriesAsync(inbox, 2);
        Assert.That(got[1].Payload, Is.EqualTo("one"));
        Assert.That(Delivered(got[0]), Is.EqualTo(1));
        Assert.That(Delivered(got[1]), Is.EqualTo(2));
        Assert.That(AckSubject.TryParse(got[1].Reply!, out var a) ? a.ConsumerSeq : 0, Is.EqualTo(2), "a redelivery takes a new consumer sequence");
        var info = _h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("num_redelivered").GetInt32(), Is.EqualTo(1));
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task NakRedeliversNowAndNakWithDelayLater()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "C", "{\"batch\":3,\"expires\":10000000000}");
        var first = (await _h.WaitDeliveriesAsync(inbox, 1))[0];
        _h.AckNoReply(first, "-NAK");
        var second = (await _h.WaitDeliveriesAsync(inbox, 2))[1];
        Assert.That(Delivered(second), Is.EqualTo(2));
        var started = Environment.TickCount64;
        _h.AckNoReply(second, "-NAK {\"delay\":300000000}");
        var third = (await _h.WaitDeliveriesAsync(inbox, 3))[2];
        Assert.That(third.At - started, Is.GreaterThanOrEqualTo(280), "not before the delay");
        Assert.That(Delivered(third), Is.EqualTo(3));
    }

    [Test]
    public async Task NakWithGoDurationDelay()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "C", "{\"batch\":2,\"expires\":10000000000}");
        var first = (await _h.WaitDeliveriesAsync(inbox, 1))[0];
        var naked = Environment.TickCount64;
        _h.AckNoReply(first, "-NAK 200ms");
        var second = (await _h.WaitDeliveriesAsync(inbox, 2))[1];
        Assert.That(second.At - naked, Is.GreaterThanOrEqualTo(180), "not before the delay");
    }

    [Test]
    public async Task ProgressPostponesRedelivery()
    {
        // Progress every 200 ms for 1.2 s, past the 1 s ack wait; the redelivery then comes an ack wait after the
        // last. A loaded machine only breaks this by pausing the loop for a whole second.
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"ack_wait\":1000000000");
        var inbox = _h.Pull("S", "C", "{\"batch\":2,\"expires\":10000000000}");
        var first = (await _h.WaitDeliveriesAsync(inbox, 1))[0];
        var lastProgress = 0L;
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(200);
            lastProgress = Environment.TickCount64;
            _h.AckNoReply(first, "+WPI");
        }
        var second = (await _h.WaitDeliveriesAsync(inbox, 2))[1];
        Assert.That(second.At - lastProgress, Is.GreaterThanOrEqualTo(900),
            $"in progress: redelivered {second.At - first.At} ms after the delivery, {second.At - lastProgress} ms after the last progress");
    }

    [Test]
    public async Task TermStopsRedeliveryWithAdvisory()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"ack_wait\":150000000");
        var inbox = _h.Pull("S", "C", "{\"batch\":2,\"expires\":1000000000}");
        var first = (await _h.WaitDeliveriesAsync(inbox, 1))[0];
        await _h.AckAsync(first, "+TERM bad data");
        await Task.Delay(400);
        Assert.That(_h.Deliveries(inbox), Has.Count.EqualTo(1));
        var advisory = _h.Output.To("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.S.C").Single();
        Assert.That(advisory, Does.Contain("\"type\":\"io.nats.jetstream.advisory.v1.terminated\"").And.Contain("\"reason\":\"bad data\"").And.Contain("\"stream_seq\":1"));
        Assert.That(_h.ConsumerInfo("S", "C").GetProperty("num_ack_pending").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task MaxDeliverStopsWithAdvisory()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"ack_wait\":100000000,\"max_deliver\":2");
        var inbox = _h.Pull("S", "C", "{\"batch\":5,\"expires\":5000000000}");
        await _h.WaitDeliveriesAsync(inbox, 2);
        await Eventually.TrueAsync(() => _h.Output.To("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C").Count == 1, "max deliveries advisory");
        await Task.Delay(250);
        Assert.That(_h.Deliveries(inbox), Has.Count.EqualTo(2));
        var advisory = _h.Output.To("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C")[0];
        Assert.That(advisory, Does.Contain("\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\"").And.Contain("\"deliveries\":2"));
        var info = _h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.Zero);
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(1));
        Assert.That(info.GetProperty("num_redelivered").GetInt32(), Is.EqualTo(1), "its delivery count stays, as nats-server's rdc");
    }

    [Test]
    public async Task A_late_ack_of_a_message_past_max_deliver_drops_its_count()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"ack_wait\":100000000,\"max_deliver\":2");
        var inbox = _h.Pull("S", "C", "{\"batch\":5,\"expires\":5000000000}");
        var last = (await _h.WaitDeliveriesAsync(inbox, 2))[1];
        await Eventually.TrueAsync(() => _h.Output.To("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C").Count == 1, "max deliveries advisory");
        Assert.That(_h.ConsumerInfo("S", "C").GetProperty("num_redelivered").GetInt32(), Is.EqualTo(1));

        await _h.AckAsync(last);
        var info = _h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("num_redelivered").GetInt32(), Is.Zero, "nats-server deletes rdc on any ack, pending or not");
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_nak_after_the_last_allowed_delivery_is_not_redelivered()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"max_deliver\":2");
        var inbox = _h.Pull("S", "C", "{\"batch\":5,\"expires\":5000000000}");
        _h.AckNoReply((await _h.WaitDeliveriesAsync(inbox, 1))[0], "-NAK");
        _h.AckNoReply((await _h.WaitDeliveriesAsync(inbox, 2))[1], "-NAK");
        await Eventually.TrueAsync(() => _h.Output.To("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C").Count == 1, "max deliveries advisory");
        await _h.PublishAsync("s.2", "two");
        var next = (await _h.WaitDeliveriesAsync(inbox, 3))[2];
        Assert.That((next.Payload, Delivered(next)), Is.EqualTo(("two", 1UL)), "the naked message is not sent a third time");
        Assert.That(_h.ConsumerInfo("S", "C").GetProperty("num_ack_pending").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task BackoffSetsEachWait()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"backoff\":[100000000,600000000],\"max_deliver\":4");
        var inbox = _h.Pull("S", "C", "{\"batch\":5,\"expires\":10000000000}");
        var got = await _h.WaitDeliveriesAsync(inbox, 3);
        Assert.That(got[2].At - got[1].At, Is.GreaterThanOrEqualTo(550), "the second wait is the second backoff value");
    }

    [Test]
    public async Task OneSchedulerServesManyPendingMessages()
    {
        for (var i = 0; i < 300; i++)
        {
            await _h.PublishAsync("s.many", "m");
        }
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"ack_wait\":200000000,\"max_deliver\":2");
        var inbox = _h.Pull("S", "C", "{\"batch\":1000,\"expires\":10000000000}");
        await _h.WaitDeliveriesAsync(inbox, 602, TimeSpan.FromSeconds(15));
        var counts = _h.Deliveries(inbox).GroupBy(m => AckSubject.TryParse(m.Reply!, out var a) ? a.StreamSeq : 0).Select(g => g.Count()).Distinct();
        Assert.That(counts, Is.EqualTo(new[] { 2 }), "every message delivered exactly twice (once redelivered)");
    }
}
