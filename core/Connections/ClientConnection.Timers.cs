using System.Diagnostics;
using Nats.Core.Protocol;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private static readonly TimeSpan FirstClientPingInterval = TimeSpan.FromSeconds(2);

    private void ArmTimers()
    {
        var now = Stopwatch.GetTimestamp();
        if (Auth.IsAuthRequired && !_connectReceived)
        {
            _authDeadline = now + ToTicks(Listener.AuthTimeout ?? Auth.Timeout);
        }
        ScheduleFirstPing(now);
    }

    /// <summary>
    /// nats-server sends its first PING to a client early, to measure the RTT: after the
    /// ping_interval or 2 s, whichever is shorter, plus up to 20% at random so that clients
    /// reconnecting together are not all pinged at once. Done on accept and again on CONNECT.
    /// </summary>
    private void ScheduleFirstPing(long now)
    {
        var first = Math.Min(ToTicks(Server.Options.PingInterval), ToTicks(FirstClientPingInterval));
        ArmPingTimerAt(now + first + Random.Shared.NextInt64(Math.Max(1, first / 5)));
    }

    /// <summary>
    /// Authentication timeout, authorization expiry, stuck writes and keep-alive PINGs.
    /// Runs on the server's heartbeat thread.
    /// </summary>
    internal override void OnHeartbeat(long now)
    {
        var options = Server.Options;
        if (IsClosed)
        {
            CheckStuckWrite(now, options.WriteDeadline);
            return;
        }
        if (!_connectReceived && _authDeadline != 0 && now >= _authDeadline)
        {
            Close(ClosedReason.AuthenticationTimeout, ProtocolErrors.AuthenticationTimeout);
            return;
        }
        if (_authorization.Expires is { } expires && DateTimeOffset.UtcNow >= expires)
        {
            Close(ClosedReason.AuthenticationExpired, ProtocolErrors.AuthenticationExpired);
            return;
        }
        if (_pluginHost is not null)
        {
            // Nothing is written to it, and its plugin keeps its own protocol's keep-alive.
            return;
        }
        CheckStuckWrite(now, options.WriteDeadline);
        if (!IsClosed)
        {
            KeepAlive(now, options.PingInterval, options.MaxPingsOut, skipWhenActive: true);
        }
    }
}
