namespace Nats.Core.Connections;

/// <summary>Why a connection closed; the text is what nats-server reports in <c>/connz</c>.</summary>
public enum ClosedReason
{
    /// <summary>Still open.</summary>
    None,
    ClientClosed,
    AuthenticationTimeout,
    AuthenticationViolation,
    TlsHandshakeError,
    SlowConsumerPendingBytes,
    SlowConsumerWriteDeadline,
    WriteError,
    ReadError,
    ParseError,
    StaleConnection,
    ProtocolViolation,
    BadClientProtocolVersion,
    MaxConnectionsExceeded,
    MaxPayloadExceeded,
    MaxControlLineExceeded,
    MaxSubscriptionsExceeded,
    DuplicateRoute,
    RouteRemoved,
    ServerShutdown,
    AuthenticationExpired,
    MissingAccount,
    NoRespondersRequiresHeaders,
    ClusterNameConflict,
    MsgHeaderViolation,
}

/// <summary>Display text of <see cref="ClosedReason"/>.</summary>
public static class ClosedReasonText
{
    /// <summary>The nats-server wording of a close reason.</summary>
    public static string ToDisplayString(this ClosedReason reason) => reason switch
    {
        ClosedReason.ClientClosed => "Client Closed",
        ClosedReason.AuthenticationTimeout => "Authentication Timeout",
        ClosedReason.AuthenticationViolation => "Authentication Failure",
        ClosedReason.TlsHandshakeError => "TLS Handshake Failure",
        ClosedReason.SlowConsumerPendingBytes => "Slow Consumer (Pending Bytes)",
        ClosedReason.SlowConsumerWriteDeadline => "Slow Consumer (Write Deadline)",
        ClosedReason.WriteError => "Write Error",
        ClosedReason.ReadError => "Read Error",
        ClosedReason.ParseError => "Parse Error",
        ClosedReason.StaleConnection => "Stale Connection",
        ClosedReason.ProtocolViolation => "Protocol Violation",
        ClosedReason.BadClientProtocolVersion => "Bad Client Protocol Version",
        ClosedReason.MaxConnectionsExceeded => "Maximum Connections Exceeded",
        ClosedReason.MaxPayloadExceeded => "Maximum Message Payload Exceeded",
        ClosedReason.MaxControlLineExceeded => "Maximum Control Line Exceeded",
        ClosedReason.MaxSubscriptionsExceeded => "Maximum Subscriptions Exceeded",
        ClosedReason.DuplicateRoute => "Duplicate Route",
        ClosedReason.RouteRemoved => "Route Removed",
        ClosedReason.ServerShutdown => "Server Shutdown",
        ClosedReason.AuthenticationExpired => "Authentication Expired",
        ClosedReason.MissingAccount => "Missing Account",
        ClosedReason.NoRespondersRequiresHeaders => "No Responders Requires Headers",
        ClosedReason.ClusterNameConflict => "Cluster Name Conflict",
        ClosedReason.MsgHeaderViolation => "Message Header Violation",
        _ => "Unknown State",
    };
}
