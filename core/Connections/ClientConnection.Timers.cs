using System.Diagnostics;
using Nats.Core.Protocol;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private static readonly TimeSpan FirstClientPingInterval = TimeSpan.FromSeconds(2);

    // nats-server's DEFAULT_RTT_MEASUREMENT_INTERVAL.
    private static readonly TimeSpan RttMeasurementInterval = TimeSpan.FromHours(1);

    private long _lastPingTimestamp;

    private long _authDeadline;

    // Never due until armed once INFO is queued: the heartbeat sees a connection as soon as it
    // is registered, and a PING must not go out ahead of the INFO.
    private long _nextPingTimestamp = long.MaxValue;
    private long _pingSentTimestamp;
    private int _pingsOut;
    private DateTimeOffset? _expires;

    /// <summary>Round-trip time measured with the last PING/PONG.</summary>
    public TimeSpan Rtt { get; private set; }

    /// <summary>When the client last sent anything.</summary>
    public DateTime LastActivity =>
        DateTime.UtcNow - Stopwatch.GetElapsedTime(LastActivityTimestamp);

    private void ArmAuthTimer()
    {
        var now = Stopwatch.GetTimestamp();
        if (_server.Auth.IsAuthRequired && !_connectReceived)
        {
            _authDeadline = now + (long)(_server.Auth.Timeout.TotalSeconds * Stopwatch.Frequency);
        }
        ScheduleFirstPing(now);
        _pingSentTimestamp = 0;
    }

    /// <summary>
    /// nats-server sends its first PING to a client early, to measure the RTT: after the
    /// ping_interval or 2 s, whichever is shorter, plus up to 20% at random so that clients
    /// reconnecting together are not all pinged at once. Done on accept and again on CONNECT.
    /// </summary>
    private void ScheduleFirstPing(long now)
    {
        var first = Math.Min(ToTicks(_server.Options.PingInterval), ToTicks(FirstClientPingInterval));
        _nextPingTimestamp = now + first + Random.Shared.NextInt64(Math.Max(1, first / 5));
    }

    /// <summary>nats-server's first RTT estimate, taken at CONNECT: the time since accept.</summary>
    private void EstimateRtt()
    {
        if (Rtt == TimeSpan.Zero)
        {
            var elapsed = DateTime.UtcNow - StartTime;
            Rtt = elapsed > TimeSpan.FromTicks(10) ? elapsed : TimeSpan.FromTicks(10);
        }
    }

    private void OnPong()
    {
        _pingsOut = 0;
        var sent = Interlocked.Exchange(ref _pingSentTimestamp, 0);
        if (sent != 0)
        {
            Rtt = Stopwatch.GetElapsedTime(sent);
        }
    }

    /// <summary>
    /// Called by the server's heartbeat: authentication timeout, keep-alive PINGs, stale
    /// connections, authorization expiry and stuck writes. Runs on the timer thread.
    /// </summary>
    internal void OnHeartbeat(long now)
    {
        if (IsClosed)
        {
            CheckStuckWrite(now);
            return;
        }
        var options = _server.Options;
        if (!_connectReceived && _authDeadline != 0 && now >= _authDeadline)
        {
            Close(ClosedReason.AuthenticationTimeout, ProtocolErrors.AuthenticationTimeout);
            return;
        }
        if (_expires is { } expires && DateTimeOffset.UtcNow >= expires)
        {
            Close(ClosedReason.AuthenticationExpired, ProtocolErrors.AuthenticationExpired);
            return;
        }
        CheckStuckWrite(now);
        if (now < _nextPingTimestamp)
        {
            return;
        }
        var interval = ToTicks(options.PingInterval);
        _nextPingTimestamp = now + interval;
        // Traffic from the client proves it is alive; nats-server skips the PING then, unless
        // it wants an RTT sample (none sent yet, or the last one over an hour ago). Skipping on
        // an estimated RTT too is what keeps a busy publisher that never reads from going stale.
        var needRtt = Rtt == TimeSpan.Zero || _lastPingTimestamp == 0 || now - _lastPingTimestamp > ToTicks(RttMeasurementInterval);
        if (now - LastActivityTimestamp < interval && !needRtt)
        {
            return;
        }
        if (_pingsOut + 1 > options.MaxPingsOut)
        {
            Close(ClosedReason.StaleConnection, ProtocolErrors.StaleConnection);
            return;
        }
        _pingsOut++;
        _lastPingTimestamp = now;
        Interlocked.CompareExchange(ref _pingSentTimestamp, now, 0);
        Send("PING\r\n"u8);
    }

    private void CheckStuckWrite(long now)
    {
        var started = _out.WriteStartedTimestamp;
        if (started != 0 && now - started > ToTicks(_server.Options.WriteDeadline))
        {
            // A peer that stopped reading: nats-server treats it as a slow consumer.
            Close(ClosedReason.SlowConsumerWriteDeadline);
            _socket.Dispose();
        }
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
