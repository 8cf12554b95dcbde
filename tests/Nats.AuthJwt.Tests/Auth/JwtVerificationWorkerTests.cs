using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Jwt.Claims;

namespace Nats.AuthJwt.Tests.Auth;

/// <summary>The verification worker: dedicated threads, a bounded queue, cancelled items skipped; and the user check run on it.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class JwtVerificationWorkerTests
{
    [Test]
    public async Task Work_runs_on_a_worker_thread_and_the_caller_resumes_elsewhere()
    {
        using var worker = new JwtVerificationWorker(workerThreads: 1, maxQueueLength: 4);
        var name = await worker.RunAsync(() => Thread.CurrentThread.Name, CancellationToken.None);
        Assert.That(name, Is.EqualTo("jwt-verify-0"));
        Assert.That(Thread.CurrentThread.Name, Is.Not.EqualTo("jwt-verify-0"));
        Assert.That(worker.Completed, Is.EqualTo(1));
    }

    [Test]
    public async Task A_full_queue_refuses_at_once_and_a_cancelled_item_is_skipped()
    {
        using var worker = new JwtVerificationWorker(workerThreads: 1, maxQueueLength: 2);
        using var gate = new ManualResetEventSlim();
        var running = new TaskCompletionSource();
        var blocker = worker.RunAsync(() => { running.SetResult(); gate.Wait(TimeSpan.FromSeconds(10)); return 0; }, CancellationToken.None);
        await running.Task;
        using var cts = new CancellationTokenSource();
        var cancelled = worker.RunAsync(() => 1, cts.Token);
        var waiting = worker.RunAsync(() => 2, CancellationToken.None);
        var refused = worker.RunAsync(() => 3, CancellationToken.None);
        Assert.That(refused.IsFaulted, Is.True, "refused without waiting");
        Assert.ThrowsAsync<JwtVerificationQueueFullException>(() => refused);
        cts.Cancel();
        gate.Set();
        Assert.That(await blocker, Is.EqualTo(0));
        Assert.ThrowsAsync<TaskCanceledException>(() => cancelled);
        Assert.That(await waiting, Is.EqualTo(2));
        Assert.That((worker.Completed, worker.Refused, worker.QueueHighWater), Is.EqualTo((2L, 1L, 2)));
    }

    [Test]
    public void After_dispose_work_is_refused()
    {
        var worker = new JwtVerificationWorker();
        worker.Dispose();
        Assert.ThrowsAsync<ObjectDisposedException>(() => worker.RunAsync(() => 1, CancellationToken.None));
    }

    [Test]
    public async Task The_user_check_on_the_worker_decides_as_inline_with_and_without_cached_claims()
    {
        using var f = new JwtFixture();
        using var worker = new JwtVerificationWorker();
        var accountJwt = f.AccountJwt();
        var trust = TrustedOperators.Create([f.OperatorClaims()]);
        var uncached = new UserJwtCheck(trust, new StaticAccounts(accountJwt), worker: worker);
        var cached = new UserJwtCheck(trust, new CachedAccounts(accountJwt), worker: worker);
        foreach (var check in new[] { uncached, cached })
        {
            Assert.That((await check.CheckAsync(f.Request(f.UserJwt()), CancellationToken.None)).IsAccepted, Is.True);
            var badSig = await check.CheckAsync(f.Request(f.UserJwt(), signature: f.Sign("other nonce")), CancellationToken.None);
            Assert.That(badSig.Reason, Is.EqualTo("Signature not verified"));
        }
        // decode (+ finish when cached) is one hop, an uncached account takes a second: 2 + 2 + 1 + 1.
        Assert.That(worker.Completed, Is.EqualTo(6));
    }

    /// <summary>An account lookup whose claims are always at hand.</summary>
    private sealed class CachedAccounts(string jwt) : IAccountClaimsLookup
    {
        private readonly AccountClaims _claims = Nats.AuthJwt.Jwt.JwtCodec.DecodeAccountClaims(jwt);

        public ValueTask<AccountLookup> LookupAsync(string accountPublicKey, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("cached claims are never looked up");

        public bool TryGetCached(string accountPublicKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccountClaims? claims)
        {
            claims = accountPublicKey == _claims.Subject ? _claims : null;
            return claims is not null;
        }
    }
}
