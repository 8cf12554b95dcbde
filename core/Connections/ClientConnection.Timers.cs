using System.Diagnostics;
using Nats.Core.Protocol;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private long _authDeadline;
    private DateTimeOffset? _expires;

    private void ArmTimers()
    {
        if (Server.Auth.IsAuthRequired && !_connectReceived)
        {
            _authDeadline = Stopwatch.GetTimestamp() + ToTicks(Server.Auth.Timeout);
        }
        ArmPingTimer(Server.Options.PingInterval);
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
        if (_expires is { } expires && DateTimeOffset.UtcNow >= expires)
        {
            Close(ClosedReason.AuthenticationExpired, ProtocolErrors.AuthenticationExpired);
            return;
        }
        CheckStuckWrite(now, options.WriteDeadline);
        if (!IsClosed)
        {
            KeepAlive(now, options.PingInterval, options.MaxPingsOut, skipWhenActive: true);
        }
    }
}
