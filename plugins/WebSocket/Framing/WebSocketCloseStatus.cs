namespace Nats.WebSocket.Framing;

/// <summary>RFC 6455 7.4.1 close status codes used by nats-server, and the validity rule it applies to received ones.</summary>
public static class WebSocketCloseStatus
{
    public const ushort NormalClosure = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort UnsupportedData = 1003;
    public const ushort NoStatusReceived = 1005;
    public const ushort InvalidPayloadData = 1007;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort InternalServerError = 1011;
    public const ushort TlsHandshake = 1015;

    /// <summary>nats-server's <c>wsIsValidCloseStatus</c>: what a peer may put in a close frame.</summary>
    public static bool IsValidReceived(int code) =>
        code is >= 1000 and < 5000
        and not (NoStatusReceived or 1004 or 1006 or TlsHandshake)
        and not (>= 1016 and <= 2999);
}

/// <summary>nats-server's <c>wsEnqueueCloseMessage</c>: the close status for why the server closes a connection.</summary>
public static class WebSocketCloseReasons
{
    /// <summary>The status sent when the server closes for <paramref name="reason"/>.</summary>
    public static ushort StatusFor(Nats.Core.Connections.ClosedReason reason) => reason switch
    {
        Nats.Core.Connections.ClosedReason.ClientClosed => WebSocketCloseStatus.NormalClosure,
        Nats.Core.Connections.ClosedReason.AuthenticationTimeout
            or Nats.Core.Connections.ClosedReason.AuthenticationViolation
            or Nats.Core.Connections.ClosedReason.SlowConsumerPendingBytes
            or Nats.Core.Connections.ClosedReason.SlowConsumerWriteDeadline
            or Nats.Core.Connections.ClosedReason.MaxConnectionsExceeded
            or Nats.Core.Connections.ClosedReason.MaxControlLineExceeded
            or Nats.Core.Connections.ClosedReason.MaxSubscriptionsExceeded
            or Nats.Core.Connections.ClosedReason.MissingAccount
            or Nats.Core.Connections.ClosedReason.AuthenticationExpired => WebSocketCloseStatus.PolicyViolation,
        Nats.Core.Connections.ClosedReason.TlsHandshakeError => WebSocketCloseStatus.TlsHandshake,
        Nats.Core.Connections.ClosedReason.ParseError
            or Nats.Core.Connections.ClosedReason.ProtocolViolation
            or Nats.Core.Connections.ClosedReason.BadClientProtocolVersion => WebSocketCloseStatus.ProtocolError,
        Nats.Core.Connections.ClosedReason.MaxPayloadExceeded => WebSocketCloseStatus.MessageTooBig,
        Nats.Core.Connections.ClosedReason.WriteError
            or Nats.Core.Connections.ClosedReason.ReadError
            or Nats.Core.Connections.ClosedReason.StaleConnection
            or Nats.Core.Connections.ClosedReason.ServerShutdown => WebSocketCloseStatus.GoingAway,
        _ => WebSocketCloseStatus.InternalServerError,
    };
}
