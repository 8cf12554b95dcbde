namespace Nats.JetStream.Engine.Consumers;

/// <summary>Something the scheduler wakes at a time it asked for.</summary>
public interface IScheduled
{
    /// <summary>Called on the scheduler thread when a requested time has come; must return quickly (queue the work).</summary>
    void Wake();
}

/// <summary>
/// The one timer of the engine: every consumer's redelivery deadlines, pull request expiries,
/// heartbeats, replay and rate-limit waits and inactivity checks are folded by the consumer into
/// its single next wake-up time, which it registers here. One thread and one priority queue serve
/// every consumer, so a million pending messages do not mean a million timers. Thread safety:
/// <c>_gate</c> owns the queue; <see cref="IScheduled.Wake"/> runs outside it.
/// </summary>
public sealed class JsScheduler
{
    /// <summary>The scheduler every consumer of the process uses.</summary>
    public static readonly JsScheduler Shared = new();

    private readonly Lock _gate = new();
    private readonly PriorityQueue<IScheduled, long> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private long _nextDue = long.MaxValue;

    private JsScheduler()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "js-scheduler" };
        thread.Start();
    }

    /// <summary>Milliseconds of the monotonic clock the scheduler uses.</summary>
    public static long Now => Environment.TickCount64;

    /// <summary>Wakes <paramref name="item"/> at <paramref name="dueMs"/> (monotonic ms). Stale entries are the caller's to ignore.</summary>
    public void Schedule(IScheduled item, long dueMs)
    {
        bool signal;
        lock (_gate)
        {
            _queue.Enqueue(item, dueMs);
            signal = dueMs < _nextDue;
            if (signal)
            {
                _nextDue = dueMs;
            }
        }
        if (signal)
        {
            _signal.Release();
        }
    }

    private void Run()
    {
        var due = new List<IScheduled>();
        while (true)
        {
            long wait;
            lock (_gate)
            {
                var now = Now;
                while (_queue.TryPeek(out var item, out var at) && at <= now)
                {
                    _queue.Dequeue();
                    due.Add(item);
                }
                _nextDue = _queue.TryPeek(out _, out var next) ? next : long.MaxValue;
                wait = _nextDue == long.MaxValue ? Timeout.Infinite : Math.Max(1, _nextDue - now);
            }
            foreach (var item in due)
            {
                item.Wake();
            }
            due.Clear();
            _signal.Wait(wait > int.MaxValue ? int.MaxValue : (int)wait);
        }
    }
}
