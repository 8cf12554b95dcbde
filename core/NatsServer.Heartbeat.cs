using System.Diagnostics;
using Nats.Core.Connections;

namespace Nats.Core;

public sealed partial class NatsServer
{
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
        var shortest = new[] { options.PingInterval, options.Auth.Timeout, options.WriteDeadline }
            .Where(t => t > TimeSpan.Zero)
            .DefaultIfEmpty(TimeSpan.FromSeconds(1))
            .Min();
        return TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 10, 1000));
    }

    private void StopHeartbeat()
    {
        _heartbeat?.Dispose();
        _heartbeat = null;
    }

    private void OnHeartbeat()
    {
        // Skip a tick rather than pile up if a previous one is still running.
        if (Interlocked.Exchange(ref _heartbeatRunning, 1) == 1)
        {
            return;
        }
        try
        {
            var now = Stopwatch.GetTimestamp();
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
        }
        finally
        {
            Volatile.Write(ref _heartbeatRunning, 0);
        }
    }

    /// <summary>A link starts running: the heartbeat drives its timers from now on.</summary>
    internal void AddLink(LinkConnection link) => _links[link.Id] = link;

    /// <summary>A link's read loop ended.</summary>
    internal void RemoveLink(LinkConnection link) => _links.TryRemove(link.Id, out _);
}
