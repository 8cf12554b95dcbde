using System.Collections.Concurrent;

namespace Nats.AuthJwt.Auth;

/// <summary>
/// Runs the CPU-bound part of a user JWT check (Ed25519 verification of the JWT and of the nonce
/// signature, claim decoding) on a few dedicated threads with a bounded queue, the way the
/// kernel's <c>BcryptWorker</c> runs bcrypt.
/// </summary>
/// <remarks>
/// <para>Each verification is tens of microseconds, but anyone who can open a socket can make the
/// server do one: run inline, a flood of connects with forged JWTs would take the I/O threads
/// (the thread pool) away from connected clients. Here at most <see cref="WorkerThreads"/>
/// verifications run at once, at most <see cref="MaxQueueLength"/> wait, and beyond that a
/// connect is refused at once (<see cref="JwtVerificationQueueFullException"/>) without being
/// checked. A work item whose caller cancelled (connection gone, server stopping) is skipped.</para>
/// <para>Results complete with asynchronous continuations, so the caller's code never resumes on
/// a verification thread. Thread-safe.</para>
/// </remarks>
public sealed class JwtVerificationWorker : IDisposable
{
    private readonly BlockingCollection<IWorkItem> _queue;
    private volatile bool _disposed;
    private long _completed;
    private long _refused;
    private int _highWater;

    /// <summary>Starts <paramref name="workerThreads"/> threads with a queue of <paramref name="maxQueueLength"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1.</exception>
    public JwtVerificationWorker(int workerThreads = 1, int maxQueueLength = DefaultMaxQueueLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workerThreads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueueLength, 1);
        WorkerThreads = workerThreads;
        MaxQueueLength = maxQueueLength;
        _queue = new BlockingCollection<IWorkItem>(new ConcurrentQueue<IWorkItem>(), maxQueueLength);
        for (var i = 0; i < workerThreads; i++)
        {
            new Thread(Run) { IsBackground = true, Name = $"jwt-verify-{i}" }.Start();
        }
    }

    /// <summary>Queue bound by default: a reconnect storm of this many clients waits rather than being refused.</summary>
    public const int DefaultMaxQueueLength = 4096;

    /// <summary>Threads for one core in four, at least one: verification must never take all cores from the I/O.</summary>
    public static int DefaultWorkerThreads => Math.Max(1, Environment.ProcessorCount / 4);

    /// <summary>Dedicated threads, i.e. verifications at once.</summary>
    public int WorkerThreads { get; }

    /// <summary>Items allowed to wait.</summary>
    public int MaxQueueLength { get; }

    /// <summary>Items waiting now.</summary>
    public int QueueLength => _queue.Count;

    /// <summary>The longest the queue has been.</summary>
    public int QueueHighWater => Volatile.Read(ref _highWater);

    /// <summary>Items run to completion on a worker thread so far.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Items refused because the queue was full.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Runs <paramref name="work"/> on a worker thread.</summary>
    /// <exception cref="JwtVerificationQueueFullException">(through the task) Too many items waiting.</exception>
    /// <exception cref="OperationCanceledException">(through the task) Cancelled before it ran.</exception>
    /// <exception cref="ObjectDisposedException">(through the task) The worker was disposed.</exception>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_disposed)
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(JwtVerificationWorker)));
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var item = new WorkItem<T>(work, cancellationToken);
        bool added;
        try
        {
            added = _queue.TryAdd(item);
        }
        catch (InvalidOperationException)
        {
            // Dispose completed the queue between the check above and here.
            return Task.FromException<T>(new ObjectDisposedException(nameof(JwtVerificationWorker)));
        }
        if (!added)
        {
            Interlocked.Increment(ref _refused);
            return Task.FromException<T>(new JwtVerificationQueueFullException(MaxQueueLength));
        }
        var length = _queue.Count;
        int seen;
        while (length > (seen = Volatile.Read(ref _highWater)) && Interlocked.CompareExchange(ref _highWater, length, seen) != seen)
        {
        }
        return item.Task;
    }

    /// <summary>Stops the threads after their current item; waiting items fail with <see cref="ObjectDisposedException"/>.</summary>
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
            item.Fail(new ObjectDisposedException(nameof(JwtVerificationWorker)));
        }
    }

    private void Run()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            if (_disposed)
            {
                item.Fail(new ObjectDisposedException(nameof(JwtVerificationWorker)));
                continue;
            }
            if (item.Execute())
            {
                Interlocked.Increment(ref _completed);
            }
        }
    }

    private interface IWorkItem
    {
        /// <summary>Runs the work unless cancelled; true when it ran.</summary>
        bool Execute();

        void Fail(Exception error);
    }

    private sealed class WorkItem<T>(Func<T> work, CancellationToken cancellationToken) : IWorkItem
    {
        // Completes on the thread pool, never inline on a verification thread.
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        public bool Execute()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(cancellationToken);
                return false;
            }
            try
            {
                _completion.TrySetResult(work());
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
            return true;
        }

        public void Fail(Exception error) => _completion.TrySetException(error);
    }
}

/// <summary>
/// The verification queue is full: the connect is refused without being checked (the client may
/// retry), rather than letting a flood of connects queue without bound.
/// </summary>
public sealed class JwtVerificationQueueFullException(int limit)
    : Exception($"JWT verification queue is full ({limit} waiting); connect refused without checking")
{
    /// <summary>The queue length that was reached.</summary>
    public int Limit { get; } = limit;
}
