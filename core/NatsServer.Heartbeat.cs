using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Logging;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// Extra work run inside every tick, after the connections' timers. Tests use it to make a
    /// tick overrun its period (as an overloaded machine would) and read the log line.
    /// </summary>
    internal Action? HeartbeatTestWork { get; set; }

    /// <summary>
    /// One timer drives every connection's timeouts (auth, PING/stale, write deadline,
    /// authorization expiry) instead of a timer per connection. Its period follows the
    /// shortest configured interval so short test settings still fire on time.
    /// </summary>
    private void StartHeartbeat()
    {
        var period = HeartbeatPeriod();
        _heartbeat = new Timer(_ => OnHeartbeat(), null, period, period);
    }

    /// <summary>Re-times the heartbeat after the options changed (reload).</summary>
    internal void RescheduleHeartbeat()
    {
        var period = HeartbeatPeriod();
        _heartbeat?.Change(period, period);
    }

    private TimeSpan HeartbeatPeriod()
    {
        var options = _options;
        // Not LINQ: over TimeSpan it is framework generic code the JIT compiled at start-up (18
        // methods, issue 18), and this runs on every tick.
        var shortest = Shorter(Shorter(options.PingInterval, options.Auth.Timeout), options.WriteDeadline);
        if (shortest <= TimeSpan.Zero)
        {
            shortest = TimeSpan.FromSeconds(1);
        }
        return TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 10, 1000));

        // The shorter of two intervals, one that is not set (zero or less) aside.
        static TimeSpan Shorter(TimeSpan a, TimeSpan b) => a <= TimeSpan.Zero ? b : b <= TimeSpan.Zero || a < b ? a : b;
    }

    private void StopHeartbeat()
    {
        _heartbeat?.Dispose();
        _heartbeat = null;
    }

    private void OnHeartbeat()
    {
        // Skip a tick rather than pile up if a previous one is still running; the one running
        // reports the overrun (with the skipped ticks) when it ends.
        if (Interlocked.Exchange(ref _heartbeatRunning, 1) == 1)
        {
            Interlocked.Increment(ref _heartbeatSkipped);
            return;
        }
        var now = Stopwatch.GetTimestamp();
        try
        {
            foreach (var client in _clients.Values)
            {
                client.OnHeartbeat(now);
            }
            foreach (var link in _links.Values)
            {
                link.OnHeartbeat(now);
            }
            Events.RaiseHeartbeat(now);
            if (now - _lastReplyPrune > Stopwatch.Frequency * 5)
            {
                _lastReplyPrune = now;
                Accounts.PruneExpiredReplies(DateTime.UtcNow);
            }
            HeartbeatTestWork?.Invoke();
        }
        finally
        {
            ReportSlowTick(now);
            Volatile.Write(ref _heartbeatRunning, 0);
        }
    }

    /// <summary>
    /// A tick that took longer than the period means every connection's timers (auth, PING,
    /// write deadline) ran late: the machine or the thread pool is overloaded. Said at warning
    /// level (as Kestrel's "Heartbeat took longer than…"), at most once a second.
    /// </summary>
    private void ReportSlowTick(long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        var period = HeartbeatPeriod();
        if (elapsed <= period)
        {
            return;
        }
        var skipped = Interlocked.Exchange(ref _heartbeatSkipped, 0);
        if (LogLimits.SlowHeartbeats.Allow(Logger, LogLevel.Warning))
        {
            ServerLog.SlowHeartbeat(Logger, (long)elapsed.TotalMilliseconds, (long)period.TotalMilliseconds, _clients.Count + _links.Count, skipped);
        }
    }

    /// <summary>A link starts running: the heartbeat drives its timers from now on.</summary>
    internal void AddLink(LinkConnection link) => _links[link.Id] = link;

    /// <summary>A link's read loop ended.</summary>
    internal void RemoveLink(LinkConnection link) => _links.TryRemove(link.Id, out _);
}
