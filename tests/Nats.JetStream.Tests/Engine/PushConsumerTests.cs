using Nats.JetStream.Storage;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Engine;

/// <summary>Push consumers: delivery only with interest, idle heartbeats and flow control with nats-server's status headers.</summary>
[TestFixture(StorageType.File)]
[TestFixture(StorageType.Memory)]
[CancelAfter(30_000)]
public sealed class PushConsumerTests(StorageType type)
{
    private AccountHarness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new AccountHarness(type);
        _h.CreateStream("S", "", "s.>");
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public async Task DeliversOnlyWhileSomeoneListens()
    {
        _h.Output.NoInterest["push.x"] = true;
        _h.CreateConsumer("S", "P", "\"deliver_subject\":\"push.x\",\"ack_policy\":\"explicit\"");
        await _h.PublishAsync("s.1", "one");
        await Task.Delay(100);
        Assert.That(_h.Received("push.x"), Is.Empty);
        Assert.That(_h.ConsumerInfo("S", "P").TryGetProperty("push_bound", out _), Is.False);
        _h.Output.NoInterest.TryRemove("push.x", out _);
        _h.Account.FindConsumer("S", "P")!.Kick();
        var got = await _h.WaitDeliveriesAsync("push.x", 1);
        Assert.That(got[0].Subject, Is.EqualTo("s.1"));
        Assert.That(_h.ConsumerInfo("S", "P").GetProperty("push_bound").GetBoolean(), Is.True);
    }

    [Test]
    public async Task IdleHeartbeatCarriesLastSequences()
    {
        await _h.PublishAsync("s.1");
        await _h.PublishAsync("s.2");
        _h.CreateConsumer("S", "P", "\"deliver_subject\":\"push.hb\",\"idle_heartbeat\":100000000");
        await _h.WaitDeliveriesAsync("push.hb", 2);
        var hb = await _h.WaitStatusAsync("push.hb");
        Assert.That(hb.Headers, Is.EqualTo("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 2\r\nNats-Last-Stream: 2\r\n\r\n"));
        Assert.That(hb.Reply, Is.Null);
    }

    [Test]
    public async Task FlowControlStallsUntilAnswered()
    {
        var big = new string('x', 600 * 1024);
        _h.CreateConsumer("S", "P", "\"deliver_subject\":\"push.fc\",\"flow_control\":true,\"idle_heartbeat\":1000000000");
        for (var i = 0; i < 12; i++)
        {
            await _h.PublishAsync("s.big", big);
        }
        // The first window is 2 MiB: a request goes out past half of it, deliveries stop past all of it.
        await Eventually.TrueAsync(() => _h.Received("push.fc").Any(m => m.Headers.StartsWith("NATS/1.0 100 FlowControl Request")), "flow control request");
        await Task.Delay(200);
        var stalled = _h.Deliveries("push.fc").Count;
        Assert.That(stalled, Is.InRange(2, 5));
        var fc = _h.Received("push.fc").First(m => m.Headers.StartsWith("NATS/1.0 100 FlowControl Request"));
        Assert.That(fc.Reply, Does.Match(@"^\$JS\.FC\.S\.P\.[0-9A-Za-z]{4}$"));
        Assert.That(fc.Headers, Is.EqualTo("NATS/1.0 100 FlowControl Request\r\n\r\n"));
        await Eventually.TrueAsync(() => _h.Received("push.fc").Any(m => m.Headers.Contains("Nats-Consumer-Stalled: " + fc.Reply)), "stalled heartbeat");
        Assert.That(_h.Account.HandleFlowControl(fc.Reply!), Is.True);
        await Eventually.TrueAsync(() => _h.Deliveries("push.fc").Count > stalled, "deliveries resume");
    }
}
