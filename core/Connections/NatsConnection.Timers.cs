using System.Diagnostics;

namespace Nats.Core.Connections;

public abstract partial class NatsConnection
{
    private long _nextPingTimestamp;
    private long _pingSentTimestamp;
    private int _pingsOut;

    /// <summary>Round-trip time measured with the last PING/PONG.</summary>
    public TimeSpan Rtt { get; private set; }

    /// <summary>Schedules the first keep-alive PING.</summary>
    private protected void ArmPingTimer(TimeSpan interval)
    {
        _nextPingTimestamp = Stopwatch.GetTimestamp() + ToTicks(interval);
    }

    /// <summary>Records a PONG: the peer is alive, and the RTT is measured.</summary>
    private protected void OnPong()
    {
        _pingsOut = 0;
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
    /// a PONG, as in nats-server.
    /// </summary>
    private protected void KeepAlive(long now, TimeSpan interval, int maxOut, bool skipWhenActive)
    {
        if (now < _nextPingTimestamp)
        {
            return;
        }
        var ticks = ToTicks(interval);
        _nextPingTimestamp = now + ticks;
        if (skipWhenActive && now - LastActivityTimestamp < ticks && Rtt != TimeSpan.Zero)
        {
            return;
        }
        if (_pingsOut + 1 > maxOut)
        {
            Close(ClosedReason.StaleConnection, Protocol.ProtocolErrors.StaleConnection);
            return;
        }
        _pingsOut++;
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
            Socket.Dispose();
        }
    }

    private protected static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
