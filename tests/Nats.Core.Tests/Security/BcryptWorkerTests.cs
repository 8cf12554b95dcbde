using System.Collections.Concurrent;
using System.Diagnostics;
using Nats.Core.Security;

namespace Nats.Core.Tests.Security;

[TestFixture]
public class BcryptWorkerTests
{
    // Go-made, cost 4 (test/configs/authorization.conf): password "foo".
    private const string Hash = "$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK";
    private const string Password = "foo";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Wraps the real <see cref="Bcrypt.Verify"/> with instrumentation: call counts, the peak of
    /// simultaneous calls, whether a pool thread was used, and a gate that holds calls until opened.
    /// </summary>
    private sealed class InstrumentedBcrypt
    {
        private int _current;
        private int _peak;

        public ManualResetEventSlim Gate { get; } = new(initialState: true);
        public SemaphoreSlim Entered { get; } = new(0);
        public ConcurrentDictionary<string, int> Calls { get; } = new();
        public ConcurrentBag<string?> ThreadNames { get; } = [];
        public volatile bool RanOnThreadPool;

        public int Peak => Volatile.Read(ref _peak);

        public int TotalCalls => Calls.Values.Sum();

        public bool Verify(string password, string hash)
        {
            Calls.AddOrUpdate(password, 1, (_, n) => n + 1);
            ThreadNames.Add(Thread.CurrentThread.Name);
            RanOnThreadPool |= Thread.CurrentThread.IsThreadPoolThread;
            var now = Interlocked.Increment(ref _current);
            int peak;
            while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
            {
            }
            Entered.Release();
            try
            {
                Gate.Wait(Bound);
                return Bcrypt.Verify(password, hash);
            }
            finally
            {
                Interlocked.Decrement(ref _current);
            }
        }

        public async Task WaitEnteredAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.That(await Entered.WaitAsync(Bound), Is.True, "a verification should have started");
            }
        }
    }

    [Test]
    public async Task PlainPasswords_AreComparedInlineWithoutTheWorker()
    {
        var bcrypt = new InstrumentedBcrypt();
        using var worker = new BcryptWorker(new BcryptWorkerOptions(), bcrypt.Verify);
        var ok = worker.VerifyAsync("s3cret", "s3cret");
        var bad = worker.VerifyAsync("s3cret!", "s3cret");
        Assert.That(ok.IsCompletedSuccessfully && bad.IsCompletedSuccessfully, Is.True);
        Assert.That(await ok, Is.True);
        Assert.That(await bad, Is.False);
        Assert.That(await worker.VerifyAsync(null, ""), Is.True);
        Assert.That(bcrypt.TotalCalls, Is.Zero);
    }

    [Test]
    public async Task RealBcrypt_VerifiesGoHashes()
    {
        using var worker = new BcryptWorker();
        Assert.That(await worker.VerifyAsync(Password, Hash).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(await worker.VerifyAsync("bar", Hash).AsTask().WaitAsync(Bound), Is.False);
        Assert.That(await worker.VerifyAsync(Hash, Hash).AsTask().WaitAsync(Bound), Is.False);
    }

    [Test]
    public async Task Success_IsCachedAndAnsweredSynchronously()
    {
        using var worker = new BcryptWorker();
        Assert.That(await worker.VerifyAsync(Password, Hash).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(worker.CachedCount, Is.EqualTo(1));

        var again = worker.VerifyAsync(Password, Hash);
        Assert.That(again.IsCompletedSuccessfully, Is.True, "a cache hit needs no bcrypt");
        Assert.That(await again, Is.True);
    }

    [Test]
    public async Task Cache_CountsOnlySuccessesForTheExactPair()
    {
        var bcrypt = new InstrumentedBcrypt();
        using var worker = new BcryptWorker(new BcryptWorkerOptions(), bcrypt.Verify);
        var otherHash = Bcrypt.Hash(Password, 4);

        Assert.That(await worker.VerifyAsync(Password, Hash).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(await worker.VerifyAsync(Password, Hash).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(bcrypt.Calls[Password], Is.EqualTo(1), "second success came from the cache");

        Assert.That(await worker.VerifyAsync("bar", Hash).AsTask().WaitAsync(Bound), Is.False);
        Assert.That(await worker.VerifyAsync("bar", Hash).AsTask().WaitAsync(Bound), Is.False);
        Assert.That(bcrypt.Calls["bar"], Is.EqualTo(2), "failures are never cached");

        Assert.That(await worker.VerifyAsync(Password, otherHash).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(bcrypt.Calls[Password], Is.EqualTo(2), "another hash is another entry");
        Assert.That(worker.CachedCount, Is.EqualTo(2));
    }

    [Test]
    public async Task Cache_IsBoundedAndEvictsTheLeastRecentlyUsed()
    {
        var bcrypt = new InstrumentedBcrypt();
        using var worker = new BcryptWorker(new BcryptWorkerOptions { CacheCapacity = 2 }, bcrypt.Verify);
        var hashes = new[] { Bcrypt.Hash("a", 4), Bcrypt.Hash("b", 4), Bcrypt.Hash("c", 4) };

        Assert.That(await worker.VerifyAsync("a", hashes[0]).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(await worker.VerifyAsync("b", hashes[1]).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(await worker.VerifyAsync("a", hashes[0]).AsTask().WaitAsync(Bound), Is.True); // a is now the most recent
        Assert.That(await worker.VerifyAsync("c", hashes[2]).AsTask().WaitAsync(Bound), Is.True); // evicts b
        Assert.That(worker.CachedCount, Is.EqualTo(2));

        Assert.That(await worker.VerifyAsync("a", hashes[0]).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(bcrypt.Calls["a"], Is.EqualTo(1));
        Assert.That(await worker.VerifyAsync("b", hashes[1]).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(bcrypt.Calls["b"], Is.EqualTo(2));
    }

    [Test]
    public async Task Concurrency_IsBoundedAndThePoolStaysResponsive()
    {
        var bcrypt = new InstrumentedBcrypt();
        bcrypt.Gate.Reset();
        using var worker = new BcryptWorker(new BcryptWorkerOptions { WorkerThreads = 2 }, bcrypt.Verify);

        // A flood of distinct bad logins, far more than there are pool threads.
        var pending = Enumerable.Range(0, 64).Select(i => worker.VerifyAsync($"guess-{i}", Hash).AsTask()).ToList();
        await bcrypt.WaitEnteredAsync(2);
        Assert.That(worker.Running, Is.EqualTo(2));
        Assert.That(worker.QueueLength, Is.EqualTo(62));

        // While every bcrypt thread is stuck, the thread pool must still run work promptly.
        // (Had the verifications run on the pool, 64 blocked items would sit ahead of these.)
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            Assert.That(await Task.Run(() => i).WaitAsync(Bound), Is.EqualTo(i));
        }
        // Behind 64 blocked items the pool would add threads one by one, about two a second.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
        Assert.That(bcrypt.Peak, Is.EqualTo(2));

        bcrypt.Gate.Set();
        var results = await Task.WhenAll(pending).WaitAsync(Bound);
        Assert.That(results, Has.All.False);
        Assert.That(bcrypt.TotalCalls, Is.EqualTo(64));
        Assert.That(bcrypt.Peak, Is.EqualTo(2), "never more than WorkerThreads at once");
        Assert.That(bcrypt.RanOnThreadPool, Is.False);
        Assert.That(bcrypt.ThreadNames, Has.All.StartsWith("bcrypt-"));
    }

    [Test]
    public async Task RealBcryptFlood_RunsOneAtATimeOffThePool()
    {
        var hash = Bcrypt.Hash("right", 6);
        using var worker = new BcryptWorker();
        var pending = Enumerable.Range(0, 24).Select(i => worker.VerifyAsync($"wrong-{i}", hash).AsTask()).ToList();
        var peak = 0;
        var probes = 0;
        while (!pending.All(t => t.IsCompleted))
        {
            peak = Math.Max(peak, worker.Running);
            await Task.Run(() => Interlocked.Increment(ref probes)).WaitAsync(Bound);
        }
        Assert.That(await Task.WhenAll(pending).WaitAsync(Bound), Has.All.False);
        Assert.That(peak, Is.LessThanOrEqualTo(1));
        Assert.That(probes, Is.GreaterThan(0));
    }

    [Test]
    public async Task FullQueue_RefusesAtOnce()
    {
        var bcrypt = new InstrumentedBcrypt();
        bcrypt.Gate.Reset();
        using var worker = new BcryptWorker(new BcryptWorkerOptions { MaxQueueLength = 2 }, bcrypt.Verify);

        var running = worker.VerifyAsync("a", Hash).AsTask();
        await bcrypt.WaitEnteredAsync(1);
        var queued1 = worker.VerifyAsync("b", Hash).AsTask();
        var queued2 = worker.VerifyAsync("c", Hash).AsTask();
        Assert.That(worker.QueueLength, Is.EqualTo(2));

        var refused = worker.VerifyAsync("d", Hash);
        Assert.That(refused.IsFaulted, Is.True, "refused without waiting");
        var ex = Assert.ThrowsAsync<BcryptQueueFullException>(async () => await refused);
        Assert.That(ex!.Limit, Is.EqualTo(2));
        Assert.That(ex.Message, Does.Contain("queue is full"));

        bcrypt.Gate.Set();
        Assert.That(await Task.WhenAll(running, queued1, queued2).WaitAsync(Bound), Has.All.False);
        Assert.That(bcrypt.Calls.ContainsKey("d"), Is.False);
        Assert.That(await worker.VerifyAsync(Password, Hash).AsTask().WaitAsync(Bound), Is.True, "accepts again once drained");
    }

    [Test]
    public async Task IdenticalVerifications_AreJoinedIntoOne()
    {
        var bcrypt = new InstrumentedBcrypt();
        bcrypt.Gate.Reset();
        using var worker = new BcryptWorker(new BcryptWorkerOptions(), bcrypt.Verify);

        var blocker = worker.VerifyAsync("other", Hash).AsTask();
        await bcrypt.WaitEnteredAsync(1);
        // A reconnect storm: many clients with the same credentials.
        var storm = Enumerable.Range(0, 20).Select(_ => worker.VerifyAsync(Password, Hash).AsTask()).ToList();
        Assert.That(worker.QueueLength, Is.EqualTo(1));

        bcrypt.Gate.Set();
        Assert.That(await Task.WhenAll(storm).WaitAsync(Bound), Has.All.True);
        Assert.That(await blocker.WaitAsync(Bound), Is.False);
        Assert.That(bcrypt.Calls[Password], Is.EqualTo(1));
    }

    [Test]
    public async Task CancelledWhileQueued_IsNeverComputed()
    {
        var bcrypt = new InstrumentedBcrypt();
        bcrypt.Gate.Reset();
        using var worker = new BcryptWorker(new BcryptWorkerOptions(), bcrypt.Verify);

        var blocker = worker.VerifyAsync("other", Hash).AsTask();
        await bcrypt.WaitEnteredAsync(1);
        using var cts = new CancellationTokenSource();
        var gone = worker.VerifyAsync("gone", Hash, cts.Token).AsTask();
        await cts.CancelAsync();
        Assert.That(async () => await gone.WaitAsync(Bound), Throws.InstanceOf<OperationCanceledException>());

        bcrypt.Gate.Set();
        Assert.That(await blocker.WaitAsync(Bound), Is.False);
        Assert.That(await worker.VerifyAsync("after", Hash).AsTask().WaitAsync(Bound), Is.False);
        Assert.That(bcrypt.Calls.ContainsKey("gone"), Is.False);
        Assert.That(worker.VerifyAsync(Password, Hash, cts.Token).IsCanceled, Is.True, "an already cancelled token");
    }

    [Test]
    public async Task CancellingOneOfTwoJoinedCallers_StillAnswersTheOther()
    {
        var bcrypt = new InstrumentedBcrypt();
        bcrypt.Gate.Reset();
        using var worker = new BcryptWorker(new BcryptWorkerOptions(), bcrypt.Verify);

        var blocker = worker.VerifyAsync("other", Hash).AsTask();
        await bcrypt.WaitEnteredAsync(1);
        using var cts = new CancellationTokenSource();
        var cancelled = worker.VerifyAsync(Password, Hash, cts.Token).AsTask();
        var kept = worker.VerifyAsync(Password, Hash, CancellationToken.None).AsTask();
        await cts.CancelAsync();
        Assert.That(async () => await cancelled.WaitAsync(Bound), Throws.InstanceOf<OperationCanceledException>());

        bcrypt.Gate.Set();
        Assert.That(await kept.WaitAsync(Bound), Is.True);
        Assert.That(await blocker.WaitAsync(Bound), Is.False);
    }

    [Test]
    public async Task Continuations_DoNotRunOnBcryptThreads()
    {
        using var worker = new BcryptWorker();
        var result = await worker.VerifyAsync("bar", Hash).AsTask().WaitAsync(Bound);
        Assert.That(result, Is.False);
        Assert.That(Thread.CurrentThread.Name ?? "", Does.Not.StartWith("bcrypt-"));
    }

    [Test]
    public async Task Dispose_FailsWaitingVerificationsAndRefusesNewOnes()
    {
        var bcrypt = new InstrumentedBcrypt();
        bcrypt.Gate.Reset();
        var worker = new BcryptWorker(new BcryptWorkerOptions(), bcrypt.Verify);
        var running = worker.VerifyAsync("a", Hash).AsTask();
        await bcrypt.WaitEnteredAsync(1);
        var waiting = worker.VerifyAsync("b", Hash).AsTask();

        worker.Dispose();
        Assert.That(async () => await waiting.WaitAsync(Bound), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => worker.VerifyAsync("c", Hash), Throws.TypeOf<ObjectDisposedException>());

        bcrypt.Gate.Set();
        Assert.That(await running.WaitAsync(Bound), Is.False, "the verification in progress still completes");
        Assert.That(bcrypt.Calls.ContainsKey("b"), Is.False);
    }

    [Test]
    public void Options_AreValidated()
    {
        Assert.That(() => new BcryptWorker(new BcryptWorkerOptions { WorkerThreads = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new BcryptWorker(new BcryptWorkerOptions { MaxQueueLength = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new BcryptWorker(new BcryptWorkerOptions { CacheCapacity = -1 }), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task CacheCanBeDisabled()
    {
        var bcrypt = new InstrumentedBcrypt();
        using var worker = new BcryptWorker(new BcryptWorkerOptions { CacheCapacity = 0 }, bcrypt.Verify);
        Assert.That(await worker.VerifyAsync(Password, Hash).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(await worker.VerifyAsync(Password, Hash).AsTask().WaitAsync(Bound), Is.True);
        Assert.That(bcrypt.Calls[Password], Is.EqualTo(2));
        Assert.That(worker.CachedCount, Is.Zero);
    }
}
