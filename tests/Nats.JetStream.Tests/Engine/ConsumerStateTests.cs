using Nats.JetStream.Engine.Consumers;
using Nats.JetStream.Storage;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Engine;

/// <summary>Consumer state across restarts (file streams), retention driven by acks, inactivity, and concurrent use.</summary>
[CancelAfter(60_000)]
public sealed class ConsumerStateTests
{
    [Test]
    public async Task StateSurvivesRestartAndPendingIsRedelivered()
    {
        using var h = new AccountHarness(StorageType.File);
        h.CreateStream("S", "", "s.>");
        for (var i = 1; i <= 5; i++)
        {
            await h.PublishAsync("s." + i, "m" + i);
        }
        h.CreateConsumer("S", "C", "\"durable_name\":\"C\",\"ack_policy\":\"explicit\",\"ack_wait\":500000000");
        var got = await h.WaitDeliveriesAsync(h.Pull("S", "C", "{\"batch\":3}"), 3);
        await h.AckAsync(got[0]);
        await h.AckAsync(got[2]);

        h.Restart();
        var info = h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("config").GetProperty("ack_wait").GetInt64(), Is.EqualTo(500_000_000));
        Assert.That(info.GetProperty("delivered").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(3));
        Assert.That(info.GetProperty("delivered").GetProperty("consumer_seq").GetUInt64(), Is.EqualTo(3));
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(1));
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.EqualTo(1));
        Assert.That(info.GetProperty("num_pending").GetUInt64(), Is.EqualTo(2));

        var inbox = h.Pull("S", "C", "{\"batch\":3,\"expires\":5000000000}");
        var after = await h.WaitDeliveriesAsync(inbox, 3);
        var seqs = after.Select(m => AckSubject.TryParse(m.Reply!, out var a) ? (a.StreamSeq, a.Delivered) : default).ToList();
        Assert.That(seqs, Is.EquivalentTo(new[] { (4UL, 1UL), (5UL, 1UL), (2UL, 2UL) }), "new messages, and message 2 once its ack wait passed");
    }

    [Test]
    public async Task The_count_of_a_message_past_max_deliver_survives_a_restart_until_it_leaves_the_stream()
    {
        using var h = new AccountHarness(StorageType.File);
        h.CreateStream("S", "", "s.>");
        await h.PublishAsync("s.1", "one");
        h.CreateConsumer("S", "C", "\"durable_name\":\"C\",\"ack_policy\":\"explicit\",\"ack_wait\":100000000,\"max_deliver\":2");
        await h.WaitDeliveriesAsync(h.Pull("S", "C", "{\"batch\":5,\"expires\":5000000000}"), 2);
        await Eventually.TrueAsync(() => h.Output.To("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C").Count == 1, "max deliveries advisory");

        h.Restart();
        var info = h.ConsumerInfo("S", "C");
        Assert.That((info.GetProperty("num_redelivered").GetInt32(), info.GetProperty("num_ack_pending").GetInt32()), Is.EqualTo((1, 0)));
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(1));

        h.Api("STREAM.PURGE.S");
        Assert.That(h.ConsumerInfo("S", "C").GetProperty("num_redelivered").GetInt32(), Is.Zero, "purged: nothing left to count");
    }

    [Test]
    public void DurablesAreRecoveredMemoryStorageConsumersAreNot()
    {
        using var h = new AccountHarness(StorageType.File);
        h.CreateStream("S", "", "s.>");
        h.CreateConsumer("S", "D", "\"durable_name\":\"D\"");
        h.Api("CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{\"deliver_subject\":\"p\",\"mem_storage\":true}}");
        h.Restart();
        var names = h.Api("CONSUMER.NAMES.S").GetProperty("consumers").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.That(names, Is.EqualTo(new[] { "D" }));
        Assert.That(h.Api("STREAM.INFO.S").GetProperty("config").GetProperty("subjects")[0].GetString(), Is.EqualTo("s.>"));
    }

    [Test]
    public async Task StreamDeleteRemovesItsFiles()
    {
        using var h = new AccountHarness(StorageType.File);
        h.CreateStream("S", "", "s.>");
        h.CreateConsumer("S", "D", "\"durable_name\":\"D\"");
        await h.PublishAsync("s.1");
        h.Api("STREAM.DELETE.S");
        Assert.That(Directory.Exists(Path.Combine(h.Directory, "streams", "S")), Is.False);
        h.Restart();
        Assert.That(h.Account.StreamNames(), Is.Empty);
    }

    [TestCase(StorageType.File)]
    [TestCase(StorageType.Memory)]
    public async Task WorkQueueAckRemovesTheMessage(StorageType type)
    {
        using var h = new AccountHarness(type);
        h.CreateStream("W", ",\"retention\":\"workqueue\"", "w.>");
        await h.PublishAsync("w.1");
        await h.PublishAsync("w.2");
        h.CreateConsumer("W", "C", "\"ack_policy\":\"explicit\"");
        var got = await h.WaitDeliveriesAsync(h.Pull("W", "C", "{\"batch\":2}"), 2);
        await h.AckAsync(got[0]);
        await Eventually.TrueAsync(() => h.Api("STREAM.INFO.W").GetProperty("state").GetProperty("messages").GetUInt64() == 1, "one left");
        Assert.That(h.Api("STREAM.INFO.W").GetProperty("state").GetProperty("first_seq").GetUInt64(), Is.EqualTo(2));
    }

    [TestCase(StorageType.File)]
    [TestCase(StorageType.Memory)]
    public async Task InterestKeepsAMessageUntilEveryConsumerAcked(StorageType type)
    {
        using var h = new AccountHarness(type);
        h.CreateStream("I", ",\"retention\":\"interest\"", "i.>");
        h.CreateConsumer("I", "A", "\"ack_policy\":\"explicit\"");
        h.CreateConsumer("I", "B", "\"ack_policy\":\"explicit\",\"filter_subject\":\"i.shared\"");
        await h.PublishAsync("i.shared");
        await h.PublishAsync("i.only-a");
        var a = await h.WaitDeliveriesAsync(h.Pull("I", "A", "{\"batch\":2}"), 2);
        await h.AckAsync(a[0]);
        await h.AckAsync(a[1]);
        await Eventually.TrueAsync(() => h.Api("STREAM.INFO.I").GetProperty("state").GetProperty("messages").GetUInt64() == 1, "only-a gone, shared kept for B");
        var b = await h.WaitDeliveriesAsync(h.Pull("I", "B"), 1);
        await h.AckAsync(b[0]);
        await Eventually.TrueAsync(() => h.Api("STREAM.INFO.I").GetProperty("state").GetProperty("messages").GetUInt64() == 0, "all gone");
    }

    [TestCase(StorageType.File)]
    [TestCase(StorageType.Memory)]
    public async Task InterestStreamAcksButDropsWhatNoConsumerWants(StorageType type)
    {
        using var h = new AccountHarness(type);
        h.CreateStream("I", ",\"retention\":\"interest\"", "i.>");
        Assert.That(await h.PublishAsync("i.a"), Is.EqualTo(1UL));
        h.CreateConsumer("I", "B", "\"durable_name\":\"B\",\"filter_subject\":\"i.b\"");
        Assert.That(await h.PublishAsync("i.a"), Is.EqualTo(2UL));
        Assert.That(await h.PublishAsync("i.b"), Is.EqualTo(3UL));
        var state = h.Api("STREAM.INFO.I").GetProperty("state");
        Assert.That(state.GetProperty("messages").GetUInt64(), Is.EqualTo(1));
        Assert.That(state.GetProperty("last_seq").GetUInt64(), Is.EqualTo(3));
        var got = await h.WaitDeliveriesAsync(h.Pull("I", "B"), 1);
        Assert.That(got[0].Subject, Is.EqualTo("i.b"));
    }

    [Test]
    public async Task InactiveEphemeralIsDeleted()
    {
        using var h = new AccountHarness(StorageType.Memory);
        h.CreateStream("S", "", "s.>");
        var name = h.Api("CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{\"inactive_threshold\":200000000}}").GetProperty("name").GetString()!;
        Assert.That(h.Account.FindConsumer("S", name), Is.Not.Null);
        await Eventually.TrueAsync(() => h.Account.FindConsumer("S", name) is null, "deleted after its inactive threshold", TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task WaitingPullRequestKeepsAConsumerActive()
    {
        using var h = new AccountHarness(StorageType.Memory);
        h.CreateStream("S", "", "s.>");
        h.CreateConsumer("S", "C", "\"inactive_threshold\":200000000");
        h.Pull("S", "C", "{\"batch\":1,\"expires\":2000000000}");
        await Task.Delay(600);
        Assert.That(h.Account.FindConsumer("S", "C"), Is.Not.Null);
        await Eventually.TrueAsync(() => h.Account.FindConsumer("S", "C") is null, "deleted once the request expired and the threshold passed", TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Publishers, pullers and ackers at once on a file stream: every message is delivered and
    /// acked exactly once, nothing is left pending, and the workqueue ends empty.
    /// </summary>
    [Test]
    public async Task ConcurrentPublishPullAckDeliversEachOnce()
    {
        using var h = new AccountHarness(StorageType.File);
        h.CreateStream("W", ",\"retention\":\"workqueue\"", "w.>");
        h.CreateConsumer("W", "C", "\"ack_policy\":\"explicit\",\"ack_wait\":30000000000");
        const int publishers = 4, perPublisher = 250, total = publishers * perPublisher;
        var publishing = Enumerable.Range(0, publishers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perPublisher; i++)
            {
                h.Account.HandlePublish($"w.{p}", null, default, System.Text.Encoding.ASCII.GetBytes($"{p}-{i}"));
            }
        })).ToArray();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var inboxes = new List<string>();
        var pulling = Task.Run(async () =>
        {
            var deadline = Environment.TickCount64 + 40_000;
            var acked = new HashSet<string>();
            while (seen.Count < total && Environment.TickCount64 < deadline)
            {
                var inbox = h.Pull("W", "C", "{\"batch\":100,\"expires\":200000000}");
                lock (inboxes)
                {
                    inboxes.Add(inbox);
                }
                await Task.Delay(20);
                foreach (var box in inboxes.ToArray())
                {
                    foreach (var m in h.Deliveries(box))
                    {
                        if (acked.Add(m.Reply!))
                        {
                            seen.AddOrUpdate(m.Payload, 1, (_, n) => n + 1);
                            h.AckNoReply(m);
                        }
                    }
                }
            }
        });
        await Task.WhenAll(publishing);
        await pulling;
        Assert.That(seen, Has.Count.EqualTo(total));
        Assert.That(seen.Values.All(n => n == 1), Is.True, "no message delivered twice");
        await Eventually.TrueAsync(() => h.Api("STREAM.INFO.W").GetProperty("state").GetProperty("messages").GetUInt64() == 0, "workqueue drained", TimeSpan.FromSeconds(15));
        var info = h.ConsumerInfo("W", "C");
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.Zero);
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo((ulong)total));
    }
}

/// <summary>A purge moves consumers past what it removed, as nats-server's consumer purge.</summary>
[CancelAfter(30_000)]
public sealed class ConsumerPurgeTests
{
    [Test]
    public async Task PurgeAcksPendingBelowTheNewFirstAndSkipsAhead()
    {
        using var h = new AccountHarness(StorageType.File);
        h.CreateStream("S", "", "s.>");
        for (var i = 1; i <= 6; i++)
        {
            await h.PublishAsync("s.x", "m" + i);
        }
        h.CreateConsumer("S", "C", "\"durable_name\":\"C\",\"ack_policy\":\"explicit\"");
        await h.WaitDeliveriesAsync(h.Pull("S", "C", "{\"batch\":2}"), 2);
        var purged = h.Api("STREAM.PURGE.S", "{\"seq\":5}");
        Assert.That(purged.GetProperty("purged").GetUInt64(), Is.EqualTo(4));
        var info = h.ConsumerInfo("S", "C");
        Assert.That(info.GetProperty("num_ack_pending").GetInt32(), Is.Zero);
        Assert.That(info.GetProperty("ack_floor").GetProperty("stream_seq").GetUInt64(), Is.EqualTo(4));
        Assert.That(info.GetProperty("num_pending").GetUInt64(), Is.EqualTo(2));
        var next = await h.WaitDeliveriesAsync(h.Pull("S", "C", "{\"batch\":1}"), 1);
        Assert.That(next[0].Payload, Is.EqualTo("m5"));
    }
}
