using System.Diagnostics;
using Nats.Core.Protocol;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private long _authDeadline;
    private long _nextPingTimestamp;
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
        _nextPingTimestamp = now + ToTicks(_server.Options.PingInterval);
        // nats-server sends the first PING early to measure RTT.
        _pingSentTimestamp = 0;
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
        // Traffic from the client proves it is alive; nats-server skips the PING then.
        if (now - LastActivityTimestamp < interval && Rtt != TimeSpan.Zero)
        {
            return;
        }
        if (_pingsOut + 1 > options.MaxPingsOut)
        {
            Close(ClosedReason.StaleConnection, ProtocolErrors.StaleConnection);
            return;
        }
        _pingsOut++;
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
