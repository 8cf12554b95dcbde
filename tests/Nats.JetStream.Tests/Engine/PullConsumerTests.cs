using Nats.JetStream.Engine.Consumers;
using Nats.JetStream.Storage;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Engine;

/// <summary>Pull consumers on real stores: batches, statuses as nats-server sends them, acks and ack floors.</summary>
[TestFixture(StorageType.File)]
[TestFixture(StorageType.Memory)]
[CancelAfter(30_000)]
public sealed class PullConsumerTests(StorageType type)
{
    private AccountHarness _h = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = new AccountHarness(type);
        _h.CreateStream("S", "", "s.>");
        for (var i = 1; i <= 5; i++)
        {
            await _h.PublishAsync("s." + i, "m" + i);
        }
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public async Task BatchDeliversWithAckSubjectsAndOriginalSubjects()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "C", "{\"batch\":3}");
        var got = await _h.WaitDeliveriesAsync(inbox, 3);
        Assert.That(got.Select(m => m.Subject), Is.EqualTo(new[] { "s.1", "s.2", "s.3" }));
        Assert.That(got.Select(m => m.Payload), Is.EqualTo(new[] { "m1", "m2", "m3" }));
        Assert.That(AckSubject.TryParse(got[2].Reply!, out var ack), Is.True, got[2].Reply);
        Assert.That(ack, Is.EqualTo(ack with { Stream = "S", Consumer = "C", Delivered = 1, StreamSeq = 3, ConsumerSeq = 3, Pending = 2 }));
        var info = _h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("num_pending").GetUInt64(), Is.EqualTo(2));
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.EqualTo(3));
        Assert.That(info.GetProperty("delivered").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(3));
        Assert.That(info.GetProperty("num_waiting").GetInt32(), Is.Zero, "a fulfilled request leaves");

        await _h.AckAsync(got[1]);
        info = _h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.Zero, "1 is still pending");
        await _h.AckAsync(got[0]);
        info = _h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(2));
        Assert.That(info.GetProperty("ack_floor").GetProperty("consumer_seq").GetUInt64(), Is.EqualTo(2));
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task WaitingRequestGetsNewMessages()
    {
        _h.CreateConsumer("S", "C", "\"deliver_policy\":\"new\",\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "C", "{\"batch\":2,\"expires\":5000000000}");
        await Task.Delay(50);
        Assert.That(_h.Received(inbox), Is.Empty);
        Assert.That(_h.ConsumerInfo("S", "C").GetProperty("num_waiting").GetInt32(), Is.EqualTo(1));
        await _h.PublishAsync("s.new", "fresh");
        var got = await _h.WaitDeliveriesAsync(inbox, 1);
        Assert.That(got[0].Payload, Is.EqualTo("fresh"));
    }

    [Test]
    public async Task NoWaitAnswers404WhenEmptyAndAtTheEnd()
    {
        _h.CreateConsumer("S", "C", "\"deliver_policy\":\"new\",\"ack_policy\":\"explicit\"");
        var status = await _h.WaitStatusAsync(_h.Pull("S", "C", "{\"batch\":5,\"no_wait\":true}"));
        Assert.That(status.Headers, Is.EqualTo("NATS/1.0 404 No Messages\r\n\r\n"));

        _h.CreateConsumer("S", "D", "\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "D", "{\"batch\":10,\"no_wait\":true}");
        await _h.WaitDeliveriesAsync(inbox, 5);
        var end = await _h.WaitStatusAsync(inbox);
        Assert.That(end.Status, Is.EqualTo("NATS/1.0 404 No Messages"));
    }

    [Test]
    public async Task ExpiredRequestGets408WithPendingCounts()
    {
        _h.CreateConsumer("S", "C", "\"deliver_policy\":\"new\",\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "C", "{\"batch\":4,\"max_bytes\":1000,\"expires\":100000000}");
        var status = await _h.WaitStatusAsync(inbox);
        Assert.That(status.Headers, Is.EqualTo("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 4\r\nNats-Pending-Bytes: 1000\r\n\r\n"));
    }

    [Test]
    public async Task RequestLimitsAnswer409()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"max_batch\":2,\"max_expires\":1000000000,\"max_bytes\":100,\"max_waiting\":1");
        Assert.That((await _h.WaitStatusAsync(_h.Pull("S", "C", "{\"batch\":3}"))).Status, Is.EqualTo("NATS/1.0 409 Exceeded MaxRequestBatch of 2"));
        Assert.That((await _h.WaitStatusAsync(_h.Pull("S", "C", "{\"batch\":1,\"expires\":2000000000}"))).Status, Is.EqualTo("NATS/1.0 409 Exceeded MaxRequestExpires of 1s"));
        Assert.That((await _h.WaitStatusAsync(_h.Pull("S", "C", "{\"batch\":1,\"max_bytes\":200}"))).Status, Is.EqualTo("NATS/1.0 409 Exceeded MaxRequestMaxBytes of 100"));
        Assert.That((await _h.WaitStatusAsync(_h.Pull("S", "C", "{\"batch\":1,\"max_bytes\":5}"))).Status, Is.EqualTo("NATS/1.0 409 Message Size Exceeds MaxBytes"));
        Assert.That((await _h.WaitStatusAsync(_h.Pull("S", "C", "{\"idle_heartbeat\":2000000000,\"expires\":1000000000}"))).Status, Is.EqualTo("NATS/1.0 400 Bad Request - heartbeat value too large"));

        _h.CreateConsumer("S", "W", "\"deliver_policy\":\"new\",\"ack_policy\":\"explicit\",\"max_waiting\":1");
        _h.Pull("S", "W", "{\"batch\":1,\"expires\":5000000000}");
        Assert.That((await _h.WaitStatusAsync(_h.Pull("S", "W", "{\"batch\":1,\"expires\":5000000000}"))).Status, Is.EqualTo("NATS/1.0 409 Exceeded MaxWaiting"));

        _h.CreateConsumer("S", "P", "\"deliver_subject\":\"push.p\"");
        Assert.That((await _h.WaitStatusAsync(_h.Pull("S", "P"))).Status, Is.EqualTo("NATS/1.0 409 Consumer is push based"));
    }

    [Test]
    public async Task MaxBytesEndsTheBatch()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "C", "{\"batch\":5,\"max_bytes\":150}");
        await Task.Delay(200);
        var got = _h.Deliveries(inbox);
        // Each delivery counts subject, ack reply, headers and payload, as nats-server sizes it.
        var sizes = got.Select(m => m.Subject.Length + m.Reply!.Length + m.Headers.Length + m.Payload.Length).ToList();
        Assert.That(got, Has.Count.InRange(1, 4));
        Assert.That(sizes.Sum(), Is.LessThanOrEqualTo(150));
        Assert.That(sizes.Sum() + sizes[^1], Is.GreaterThan(150), "one more would not have fit");
        Assert.That(_h.ConsumerInfo("S", "C").GetProperty("num_waiting").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task PullHeartbeatsWhileWaiting()
    {
        _h.CreateConsumer("S", "C", "\"deliver_policy\":\"new\",\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "C", "{\"batch\":1,\"expires\":3000000000,\"idle_heartbeat\":100000000}");
        var hb = await _h.WaitStatusAsync(inbox);
        Assert.That(hb.Headers, Is.EqualTo("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 0\r\nNats-Last-Stream: 5\r\n\r\n"));
    }

    [Test]
    public async Task DeletedConsumerAnswersWaitingRequests()
    {
        _h.CreateConsumer("S", "C", "\"deliver_policy\":\"new\",\"ack_policy\":\"explicit\"");
        var inbox = _h.Pull("S", "C", "{\"batch\":1,\"expires\":5000000000}");
        await Eventually.TrueAsync(() => _h.ConsumerInfo("S", "C").GetProperty("num_waiting").GetInt32() == 1, "waiting");
        _h.Api("CONSUMER.DELETE.S.C");
        Assert.That((await _h.WaitStatusAsync(inbox)).Status, Is.EqualTo("NATS/1.0 409 Consumer Deleted"));
    }

    [Test]
    public async Task AckNextAcksAndAsksForMore()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\"");
        var first = (await _h.WaitDeliveriesAsync(_h.Pull("S", "C"), 1))[0];
        var inbox = _h.NewInbox();
        Assert.That(_h.Account.HandleAck(first.Reply!, inbox, "+NXT {\"batch\":2}"u8), Is.True);
        var next = await _h.WaitDeliveriesAsync(inbox, 2);
        Assert.That(next.Select(m => m.Payload), Is.EqualTo(new[] { "m2", "m3" }));
        Assert.That(_h.ConsumerInfo("S", "C").GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task AckAllAcksEverythingBelow()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"all\"");
        var got = await _h.WaitDeliveriesAsync(_h.Pull("S", "C", "{\"batch\":4}"), 4);
        await _h.AckAsync(got[2]);
        var info = _h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(3));
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task AckNoneMovesTheFloorOnDelivery()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"none\"");
        await _h.WaitDeliveriesAsync(_h.Pull("S", "C", "{\"batch\":2}"), 2);
        var info = _h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(2));
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task MaxAckPendingHoldsDeliveriesUntilAcks()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\",\"max_ack_pending\":2");
        var inbox = _h.Pull("S", "C", "{\"batch\":5,\"expires\":5000000000}");
        var got = await _h.WaitDeliveriesAsync(inbox, 2);
        await Task.Delay(100);
        Assert.That(_h.Deliveries(inbox), Has.Count.EqualTo(2));
        _h.AckNoReply(got[0]);
        await _h.WaitDeliveriesAsync(inbox, 3);
    }
}
