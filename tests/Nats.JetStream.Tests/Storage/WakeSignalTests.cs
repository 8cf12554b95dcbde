using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>The sync workers' wake-up: a set is never lost, and a wait lasts until one comes.</summary>
[CancelAfter(30_000)]
public sealed class WakeSignalTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Test]
    public void A_set_before_the_wait_is_remembered()
    {
        using var signal = new WakeSignal();
        signal.Set();
        var waiter = new Thread(signal.Wait) { IsBackground = true };
        waiter.Start();
        Assert.That(waiter.Join(Bound), Is.True, "the wait missed the set that came first");
    }

    [Test]
    public void Each_wait_lasts_until_a_set_from_another_thread()
    {
        using var signal = new WakeSignal();
        var woken = 0;
        var waiter = new Thread(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                signal.Wait();
                Interlocked.Increment(ref woken);
            }
        })
        { IsBackground = true };
        waiter.Start();
        // Nothing set yet: the waiter must still be asleep after a while (a wait that returned
        // early would have counted).
        Thread.Sleep(200);
        Assert.That(Volatile.Read(ref woken), Is.Zero);
        for (var i = 0; i < 100; i++)
        {
            var expected = i + 1;
            signal.Set();
            Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref woken) >= expected, Bound), Is.True, $"set {expected} never woke the waiter");
        }
        Assert.That(waiter.Join(Bound), Is.True);
        Assert.That(woken, Is.EqualTo(100));
    }
}
