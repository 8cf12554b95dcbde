using System.Diagnostics;

namespace Nats.Core.Connections;

public abstract partial class NatsConnection
{
    // nats-server's DEFAULT_RTT_MEASUREMENT_INTERVAL: even a busy peer is PINGed this often.
    private static readonly TimeSpan RttMeasurementInterval = TimeSpan.FromHours(1);

    /// <summary>Round-trip time measured with the last PING/PONG (estimated at CONNECT before that).</summary>
    public TimeSpan Rtt { get; private set; }

    /// <summary>Schedules the next keep-alive PING after <paramref name="interval"/>.</summary>
    private protected void ArmPingTimer(TimeSpan interval) => ArmPingTimerAt(Stopwatch.GetTimestamp() + ToTicks(interval));

    /// <summary>Schedules the next keep-alive PING at a Stopwatch timestamp.</summary>
    private protected void ArmPingTimerAt(long timestamp) => Volatile.Write(ref _nextPingTimestamp, timestamp);

    /// <summary>nats-server's first RTT estimate, taken at CONNECT: the time since accept.</summary>
    private protected void EstimateRtt()
    {
        if (Rtt == TimeSpan.Zero)
        {
            var elapsed = DateTime.UtcNow - StartTime;
            Rtt = elapsed > TimeSpan.FromTicks(10) ? elapsed : TimeSpan.FromTicks(10);
        }
    }

    /// <summary>Records a PONG: the peer is alive, and the RTT is measured.</summary>
    protected void OnPong()
    {
        // The read loop resets what the heartbeat thread counts up: both sides atomic.
        Interlocked.Exchange(ref _pingsOut, 0);
        var sent = Interlocked.Exchange(ref _pingSentTimestamp, 0);
        if (sent != 0)
        {
            Rtt = Stopwatch.GetElapsedTime(sent);
        }
    }

    /// <summary>Sends a PING to measure the RTT, unless a measurement is in flight already.</summary>
    private protected void SendRttPing()
    {
        // OnPong computes the RTT from this timestamp.
        if (Interlocked.CompareExchange(ref _pingSentTimestamp, Stopwatch.GetTimestamp(), 0) == 0)
        {
            Send("PING\r\n"u8);
        }
    }

    /// <summary>Called by the server's heartbeat on the timer thread.</summary>
    internal abstract void OnHeartbeat(long now);

    /// <summary>
    /// Keep-alive: every <paramref name="interval"/>, PING the peer; after
    /// <paramref name="maxOut"/> unanswered PINGs the connection is stale. With
    /// <paramref name="skipWhenActive"/> (clients) recent traffic from the peer stands in for
    /// a PONG, as in nats-server, unless an RTT sample is due (none yet, or the last one over
    /// an hour ago). Skipping on traffic is what keeps a busy publisher that never reads PINGs
    /// from being closed as stale.
    /// </summary>
    private protected void KeepAlive(long now, TimeSpan interval, int maxOut, bool skipWhenActive)
    {
        if (now < Volatile.Read(ref _nextPingTimestamp))
        {
            return;
        }
        var ticks = ToTicks(interval);
        _nextPingTimestamp = now + ticks;
        var needRtt = Rtt == TimeSpan.Zero || _lastPingTimestamp == 0 || now - _lastPingTimestamp > ToTicks(RttMeasurementInterval);
        if (skipWhenActive && now - LastActivityTimestamp < ticks && !needRtt)
        {
            return;
        }
        if (Interlocked.Increment(ref _pingsOut) > maxOut)
        {
            Close(ClosedReason.StaleConnection, Protocol.ProtocolErrors.StaleConnection);
            return;
        }
        _lastPingTimestamp = now;
        Interlocked.CompareExchange(ref _pingSentTimestamp, now, 0);
        Send("PING\r\n"u8);
    }

    /// <summary>A peer that stopped reading: nats-server treats it as a slow consumer.</summary>
    private protected void CheckStuckWrite(long now, TimeSpan deadline)
    {
        var started = Out.WriteStartedTimestamp;
        if (started != 0 && now - started > ToTicks(deadline))
        {
            Close(ClosedReason.SlowConsumerWriteDeadline);
            DisposeTransport();
        }
    }

    private protected static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
