namespace Nats.WebSocket.Framing;

/// <summary>RFC 6455 7.4.1 close status codes used by nats-server, and the validity rule it applies to received ones.</summary>
public static class WebSocketCloseStatus
{
    /// <summary>The connection did what it was for (nats-server: a client that closed).</summary>
    public const ushort NormalClosure = 1000;

    /// <summary>The server is going away or lost the connection (shutdown, stale, read or write error).</summary>
    public const ushort GoingAway = 1001;

    /// <summary>The peer broke the NATS or WebSocket protocol.</summary>
    public const ushort ProtocolError = 1002;

    /// <summary>A data type the endpoint cannot accept.</summary>
    public const ushort UnsupportedData = 1003;

    /// <summary>A close frame without a status; never sent, only reported.</summary>
    public const ushort NoStatusReceived = 1005;

    /// <summary>Data inconsistent with the message type (text that is not UTF-8).</summary>
    public const ushort InvalidPayloadData = 1007;

    /// <summary>Refused by policy: authentication, limits, slow consumer, missing account.</summary>
    public const ushort PolicyViolation = 1008;

    /// <summary>A message over max_payload.</summary>
    public const ushort MessageTooBig = 1009;

    /// <summary>Any other reason the server closes.</summary>
    public const ushort InternalServerError = 1011;

    /// <summary>The TLS handshake failed; never sent in a close frame, only reported.</summary>
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
