using System.Collections.Concurrent;

namespace Nats.Core.Security;

/// <summary>
/// Checks passwords and tokens the way nats-server's <c>comparePasswords</c> does, but runs the
/// bcrypt case on a few dedicated threads so that it never blocks an I/O thread or the thread pool.
/// </summary>
/// <remarks>
/// <para>bcrypt costs tens of milliseconds of CPU by design. Run on the thread pool, a flood of
/// logins with wrong passwords would occupy every pool thread and stall all connections. Here at
/// most <see cref="BcryptWorkerOptions.WorkerThreads"/> verifications run at once, at most
/// <see cref="BcryptWorkerOptions.MaxQueueLength"/> wait, and beyond that a login is refused
/// at once with <see cref="BcryptQueueFullException"/>.</para>
/// <para>Three things keep legitimate clients cheap: successful verifications are cached (see
/// <see cref="BcryptCache"/> for why that is safe and why failures are never cached); identical
/// verifications already waiting or running are joined instead of queued again (a server restart
/// makes many clients with the same credentials reconnect at once: one bcrypt answers them all);
/// and a verification whose every caller has cancelled (the connection went away) is dropped
/// without being computed.</para>
/// <para>Results are delivered with asynchronous continuations, so the caller's code never
/// resumes on a bcrypt thread.</para>
/// </remarks>
public sealed class BcryptWorker : IDisposable
{
    private readonly Func<string, string, bool> _bcrypt;
    private readonly BlockingCollection<WorkItem> _queue;
    private readonly Dictionary<BcryptCacheKey, WorkItem> _pending = new();
    private readonly Lock _lock = new();
    private readonly BcryptCache _cache;
    private volatile bool _disposed;
    private int _running;
    private int _started; // 0 until the first bcrypt verification starts the threads (Interlocked)

    /// <summary>Creates the worker; its threads start with the first bcrypt verification.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Options out of range.</exception>
    public BcryptWorker(BcryptWorkerOptions? options = null)
        : this(options ?? new BcryptWorkerOptions(), Bcrypt.Verify)
    {
    }

    /// <summary>Test seam: <paramref name="bcrypt"/> replaces <see cref="Bcrypt.Verify"/> (called as (password, hash)).</summary>
    internal BcryptWorker(BcryptWorkerOptions options, Func<string, string, bool> bcrypt)
    {
        options.Validate();
        Options = options;
        _bcrypt = bcrypt;
        _cache = new BcryptCache(options.CacheCapacity);
        _queue = new BlockingCollection<WorkItem>(new ConcurrentQueue<WorkItem>(), options.MaxQueueLength);
    }

    // Started on first use, not up front: most servers have no bcrypt password and would keep
    // idle threads (stacks, a runtime thread object each) for nothing.
    private void EnsureStarted()
    {
        if (Volatile.Read(ref _started) != 0 || Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }
        for (var i = 0; i < Options.WorkerThreads; i++)
        {
            new Thread(Run) { IsBackground = true, Name = $"bcrypt-{i}" }.Start();
        }
    }

    /// <summary>The sizing this worker runs with.</summary>
    public BcryptWorkerOptions Options { get; }

    /// <summary>Verifications waiting for a thread.</summary>
    public int QueueLength => _queue.Count;

    /// <summary>Verifications running right now (never more than <see cref="BcryptWorkerOptions.WorkerThreads"/>).</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Successful verifications currently cached.</summary>
    public int CachedCount => _cache.Count;

    /// <summary>
    /// True when <paramref name="password"/> (from CONNECT; null counts as empty) matches the
    /// configured <paramref name="configured"/> password or token. A bcrypt value is checked on
    /// a worker thread (or answered from the cache, synchronously); a plain value is compared in
    /// constant time on the calling thread, since that is cheap.
    /// </summary>
    /// <exception cref="BcryptQueueFullException">(through the task) Too many verifications waiting.</exception>
    /// <exception cref="OperationCanceledException">(through the task) <paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ObjectDisposedException">The worker was disposed.</exception>
    public ValueTask<bool> VerifyAsync(string? password, string configured, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ObjectDisposedException.ThrowIf(_disposed, this);
        password ??= string.Empty;
        if (!Bcrypt.IsBcrypt(configured))
        {
            return new ValueTask<bool>(PasswordVerifier.FixedTimeEquals(configured, password));
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }
        var key = _cache.Digest(password, configured);
        if (_cache.Contains(key))
        {
            return new ValueTask<bool>(true);
        }

        WorkItem item;
        lock (_lock)
        {
            if (_pending.TryGetValue(key, out var existing))
            {
                item = existing;
                Interlocked.Increment(ref item.Waiters);
            }
            else
            {
                item = new WorkItem(key, password, configured);
                bool added;
                try
                {
                    added = _queue.TryAdd(item);
                }
                catch (InvalidOperationException)
                {
                    // Dispose completed the queue between the check above and here.
                    return ValueTask.FromException<bool>(new ObjectDisposedException(nameof(BcryptWorker)));
                }
                if (!added)
                {
                    return ValueTask.FromException<bool>(new BcryptQueueFullException(Options.MaxQueueLength));
                }
                _pending[key] = item;
            }
        }
        EnsureStarted();
        return cancellationToken.CanBeCanceled
            ? WaitAsync(item, cancellationToken)
            : new ValueTask<bool>(item.Completion.Task);
    }

    /// <summary>Stops the threads after the verification each is running; waiting ones fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _queue.CompleteAdding();
        while (_queue.TryTake(out var item))
        {
            Unpend(item);
            item.Completion.TrySetException(new ObjectDisposedException(nameof(BcryptWorker)));
        }
    }

    private static async ValueTask<bool> WaitAsync(WorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            return await item.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!item.Completion.Task.IsCompleted)
        {
            // This caller gave up; when it was the last one, the worker skips the item. (Done here
            // rather than in a token callback: disposing a registration can pre-empt its callback.)
            item.Release();
            throw;
        }
    }

    private void Run()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            if (_disposed)
            {
                Unpend(item);
                item.Completion.TrySetException(new ObjectDisposedException(nameof(BcryptWorker)));
                continue;
            }
            lock (_lock)
            {
                if (Volatile.Read(ref item.Waiters) == 0)
                {
                    // Every caller cancelled while it waited: nobody wants the answer.
                    _pending.Remove(item.Key);
                    item.Completion.TrySetCanceled();
                    continue;
                }
            }
            if (_cache.Contains(item.Key))
            {
                // An identical verification finished while this one waited (it was queued before
                // the first result existed, with a different cancellation history).
                Unpend(item);
                item.Completion.TrySetResult(true);
                continue;
            }

            Interlocked.Increment(ref _running);
            bool ok;
            try
            {
                ok = _bcrypt(item.Password, item.Configured);
            }
            catch (Exception e)
            {
                Interlocked.Decrement(ref _running);
                Unpend(item);
                item.Completion.TrySetException(e);
                continue;
            }
            Interlocked.Decrement(ref _running);
            if (ok)
            {
                // Cache before un-pending, so a caller arriving in between hits the cache.
                _cache.Add(item.Key);
            }
            Unpend(item);
            item.Completion.TrySetResult(ok);
        }
    }

    /// <summary>Removes the item from the pending set; done before completing it, so no new caller joins a finished item.</summary>
    private void Unpend(WorkItem item)
    {
        lock (_lock)
        {
            if (_pending.TryGetValue(item.Key, out var current) && ReferenceEquals(current, item))
            {
                _pending.Remove(item.Key);
            }
        }
    }

    /// <summary>One distinct (password, configured) verification and everyone waiting for it.</summary>
    private sealed class WorkItem(BcryptCacheKey key, string password, string configured)
    {
        public BcryptCacheKey Key { get; } = key;

        public string Password { get; } = password;

        public string Configured { get; } = configured;

        /// <summary>Completes on the thread pool, never inline on a bcrypt thread.</summary>
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Callers still interested; only raised under the worker's lock, lowered by <see cref="Release"/>.</summary>
        public int Waiters = 1;

        public void Release() => Interlocked.Decrement(ref Waiters);
    }
}
