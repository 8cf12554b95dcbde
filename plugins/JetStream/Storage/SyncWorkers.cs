namespace Nats.JetStream.Storage;

/// <summary>
/// The threads that write and sync file stores: a store with unwritten records is queued once;
/// a worker runs its group commit (write everything pending, one fdatasync, acknowledge) and
/// runs it again while more arrived meanwhile. A few dedicated threads serve every store, so
/// thousands of streams do not mean thousands of threads, and blocking syscalls never occupy
/// the thread pool that serves clients.
/// </summary>
/// <remarks>
/// Idle workers sleep in a <see cref="WakeSignal"/> of their own, a kernel wait with no
/// spinning (a BlockingCollection's semaphore spins with sched_yield before it blocks, which for
/// one synchronous publisher cost about 40 yields per message on each of two workers taking
/// turns), woken after the scheduler has left the queue's lock, so the woken worker does not
/// find it held (as it found Monitor.Pulse's, issue 16). Threads start on demand, up to the
/// limit, only when no idle worker is left; the worker that went idle last is woken first, so
/// one busy store keeps one thread.
/// </remarks>
internal sealed class SyncWorkers(int maxThreads)
{
    public static readonly SyncWorkers Shared = new(Math.Max(2, Environment.ProcessorCount));

    private readonly Lock _gate = new();
    private readonly Queue<Action> _queue = new();

    /// <summary>Workers waiting and not yet woken, the last to wait on top (owned by _gate).</summary>
    private readonly Stack<WakeSignal> _idle = new();

    /// <summary>
    /// Workers on their way to the queue: woken, just started, or between runs after
    /// <see cref="Ending"/> (owned by _gate). A queued run needs a new worker only when it is
    /// not covered by these.
    /// </summary>
    private int _looking;

    /// <summary>Workers started so far (owned by _gate).</summary>
    private int _started;

    /// <summary>Workers started so far.</summary>
    public int Threads
    {
        get
        {
            lock (_gate)
            {
                return _started;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> (a store's <see cref="FileStore.RunSync"/>) on a worker. The
    /// caller schedules a store at most once until its run calls <see cref="Ending"/>.
    /// </summary>
    public void Schedule(Action work)
    {
        var start = -1;
        WakeSignal? wake = null;
        lock (_gate)
        {
            _queue.Enqueue(work);
            if (_queue.Count <= _looking)
            {
                // A worker between runs takes it without a wake-up.
                return;
            }
            if (_idle.TryPop(out wake))
            {
                // Counted here, not by the woken worker: a second run queued before it wakes
                // wakes another one instead of nobody.
                _looking++;
            }
            else if (_started < maxThreads)
            {
                start = _started++;
                _looking++;
            }
        }
        if (wake is not null)
        {
            wake.Set();
        }
        else if (start >= 0)
        {
            new Thread(Run) { IsBackground = true, Name = $"js-sync-{start}" }.Start();
        }
    }

    /// <summary>
    /// Called by a run, under its store's lock, just before the store may be scheduled again:
    /// the worker counts as on its way to the queue from here, so a store that a publisher
    /// schedules again at once goes to this same worker instead of waking or starting another
    /// (one synchronous publisher would otherwise alternate between two threads).
    /// </summary>
    public void Ending()
    {
        lock (_gate)
        {
            _looking++;
        }
    }

    private void Run()
    {
        // Never disposed: a worker lives as long as the process.
        var signal = new WakeSignal();
        while (true)
        {
            Action? work;
            lock (_gate)
            {
                _looking--;
                if (!_queue.TryDequeue(out work))
                {
                    _idle.Push(signal);
                }
            }
            if (work is null)
            {
                // A woken worker can find the queue empty: one between runs took it first.
                signal.Wait();
                continue;
            }
            work();
        }
    }
}
