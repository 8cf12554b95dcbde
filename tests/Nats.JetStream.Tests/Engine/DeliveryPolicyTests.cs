using System.Text.Json;
using Nats.JetStream.Storage;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Engine;

/// <summary>Where a consumer starts and what it picks: deliver policies, filters, headers only, replay, rate limit.</summary>
[TestFixture(StorageType.File)]
[TestFixture(StorageType.Memory)]
[CancelAfter(30_000)]
public sealed class DeliveryPolicyTests(StorageType type)
{
    private AccountHarness _h = null!;
    private DateTime _middle;

    [SetUp]
    public async Task SetUp()
    {
        _h = new AccountHarness(type);
        _h.CreateStream("S", "", "s.>");
        await _h.PublishAsync("s.a", "a1");
        await _h.PublishAsync("s.b", "b1");
        await _h.PublishAsync("s.a", "a2");
        await Task.Delay(20);
        _middle = DateTime.UtcNow;
        await Task.Delay(20);
        await _h.PublishAsync("s.c", "c1", "NATS/1.0\r\nX-Key: k\r\n\r\n");
        await _h.PublishAsync("s.b", "b2");
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    private async Task<List<string>> PullAllAsync(string consumer, int expected)
    {
        var inbox = _h.Pull("S", consumer, "{\"batch\":10,\"no_wait\":true}");
        await _h.WaitStatusAsync(inbox);
        var got = _h.Deliveries(inbox).Select(m => m.Payload).ToList();
        Assert.That(got, Has.Count.EqualTo(expected), string.Join(",", got));
        return got;
    }

    [Test]
    public async Task DeliverPolicies()
    {
        _h.CreateConsumer("S", "ALL", "\"deliver_policy\":\"all\"");
        Assert.That(await PullAllAsync("ALL", 5), Is.EqualTo(new[] { "a1", "b1", "a2", "c1", "b2" }));
        _h.CreateConsumer("S", "LAST", "\"deliver_policy\":\"last\"");
        Assert.That(await PullAllAsync("LAST", 1), Is.EqualTo(new[] { "b2" }));
        _h.CreateConsumer("S", "LASTA", "\"deliver_policy\":\"last\",\"filter_subject\":\"s.a\"");
        Assert.That(await PullAllAsync("LASTA", 1), Is.EqualTo(new[] { "a2" }));
        _h.CreateConsumer("S", "SEQ", "\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":3");
        Assert.That(await PullAllAsync("SEQ", 3), Is.EqualTo(new[] { "a2", "c1", "b2" }));
        _h.CreateConsumer("S", "TIME", $"\"deliver_policy\":\"by_start_time\",\"opt_start_time\":{JsonSerializer.Serialize(_middle)}");
        Assert.That(await PullAllAsync("TIME", 2), Is.EqualTo(new[] { "c1", "b2" }));
        _h.CreateConsumer("S", "LPS", "\"deliver_policy\":\"last_per_subject\",\"filter_subjects\":[\"s.a\",\"s.b\"]");
        Assert.That(await PullAllAsync("LPS", 2), Is.EqualTo(new[] { "a2", "b2" }));
        Assert.That(_h.ConsumerInfo("S", "LPS").GetProperty("num_pending").GetUInt64(), Is.Zero);
        _h.CreateConsumer("S", "NEW", "\"deliver_policy\":\"new\"");
        var status = await _h.WaitStatusAsync(_h.Pull("S", "NEW", "{\"batch\":10,\"no_wait\":true}"));
        Assert.That(status.Status, Is.EqualTo("NATS/1.0 404 No Messages"));
        await _h.PublishAsync("s.d", "d1");
        Assert.That(await PullAllAsync("NEW", 1), Is.EqualTo(new[] { "d1" }));
        Assert.That(await PullAllAsync("LPS", 0), Is.Empty, "s.d is not in the LPS filters");
    }

    [Test]
    public async Task SeveralFilters()
    {
        _h.CreateConsumer("S", "F", "\"filter_subjects\":[\"s.a\",\"s.c\"]");
        Assert.That(_h.ConsumerInfo("S", "F").GetProperty("num_pending").GetUInt64(), Is.EqualTo(3));
        Assert.That(await PullAllAsync("F", 3), Is.EqualTo(new[] { "a1", "a2", "c1" }));
    }

    [Test]
    public async Task HeadersOnlyAddsMsgSize()
    {
        _h.CreateConsumer("S", "H", "\"headers_only\":true,\"filter_subject\":\"s.c\"");
        var inbox = _h.Pull("S", "H");
        var m = (await _h.WaitDeliveriesAsync(inbox, 1))[0];
        Assert.That(m.Payload, Is.Empty);
        Assert.That(m.Headers, Is.EqualTo("NATS/1.0\r\nX-Key: k\r\nNats-Msg-Size: 2\r\n\r\n"));
        _h.CreateConsumer("S", "H2", "\"headers_only\":true,\"filter_subject\":\"s.a\"");
        var plain = (await _h.WaitDeliveriesAsync(_h.Pull("S", "H2"), 1))[0];
        Assert.That(plain.Headers, Is.EqualTo("NATS/1.0\r\nNats-Msg-Size: 2\r\n\r\n"));
    }

    [Test]
    public async Task ReplayOriginalKeepsThePace()
    {
        await Task.Delay(300);
        await _h.PublishAsync("s.z", "late");
        _h.CreateConsumer("S", "R", "\"replay_policy\":\"original\",\"deliver_subject\":\"push.r\"");
        var started = Environment.TickCount64;
        await _h.WaitDeliveriesAsync("push.r", 6);
        Assert.That(Environment.TickCount64 - started, Is.GreaterThanOrEqualTo(300), "the 300 ms gap is replayed");
    }

    [Test]
    public async Task RateLimitSpreadsDeliveries()
    {
        // ~48 bytes a delivery (subject, ack reply, payload); 1600 bits/s = 200 bytes/s: a second's
        // budget at once, then ~4 a second, so the 15th comes ~2.4 s after the first. Bounded from below,
        // which a loaded machine cannot break (counting after a fixed delay it could).
        for (var i = 0; i < 10; i++)
        {
            await _h.PublishAsync("s.r", "r");
        }
        _h.CreateConsumer("S", "RL", "\"rate_limit_bps\":1600,\"deliver_subject\":\"push.rl\"");
        var got = await _h.WaitDeliveriesAsync("push.rl", 15, TimeSpan.FromSeconds(15));
        Assert.That(got[14].At - got[0].At, Is.GreaterThanOrEqualTo(1800), "throttled");
    }
}
