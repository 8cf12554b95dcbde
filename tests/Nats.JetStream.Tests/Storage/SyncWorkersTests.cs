using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>The store sync threads: every scheduled run happens, and threads start only when needed.</summary>
[CancelAfter(30_000)]
public sealed class SyncWorkersTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Test]
    public void One_store_at_a_time_keeps_one_thread()
    {
        var workers = new SyncWorkers(4);
        using var done = new SemaphoreSlim(0);
        for (var i = 0; i < 200; i++)
        {
            // Each run ends before the next is queued, as a store's does: the one worker takes it
            // whether it is back waiting or still between runs.
            workers.Schedule(() =>
            {
                workers.Ending();
                done.Release();
            });
            Assert.That(done.Wait(Bound), Is.True, $"run {i} never ran");
        }
        Assert.That(workers.Threads, Is.EqualTo(1));
    }

    [Test]
    public void Every_run_scheduled_from_many_threads_happens_once_within_the_limit()
    {
        const int Producers = 4, PerProducer = 500;
        var workers = new SyncWorkers(3);
        var counts = new int[Producers * PerProducer];
        using var done = new CountdownEvent(counts.Length);
        var producers = Enumerable.Range(0, Producers).Select(p => new Thread(() =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                var slot = p * PerProducer + i;
                workers.Schedule(() =>
                {
                    Interlocked.Increment(ref counts[slot]);
                    // Long enough that the others queue up behind it and more threads start.
                    Thread.SpinWait(slot % 50 == 0 ? 20_000 : 10);
                    workers.Ending();
                    done.Signal();
                });
            }
        })).ToList();
        producers.ForEach(t => t.Start());
        producers.ForEach(t => Assert.That(t.Join(Bound), Is.True));
        Assert.That(done.Wait(Bound), Is.True, $"{done.CurrentCount} runs never ran");
        Assert.That(counts, Is.All.EqualTo(1));
        Assert.That(workers.Threads, Is.InRange(1, 3));
    }
}
