namespace Nats.Core.Connections;

/// <summary>Why a connection closed; the text is what nats-server reports in <c>/connz</c>.</summary>
public enum ClosedReason
{
    /// <summary>Still open.</summary>
    None,

    /// <summary>The peer closed the connection.</summary>
    ClientClosed,

    /// <summary>No CONNECT within the authorization timeout.</summary>
    AuthenticationTimeout,

    /// <summary>Authentication failed, or an operation came before it.</summary>
    AuthenticationViolation,

    /// <summary>The TLS handshake failed.</summary>
    TlsHandshakeError,

    /// <summary>More output was pending than max_pending allows.</summary>
    SlowConsumerPendingBytes,

    /// <summary>A write did not complete within write_deadline.</summary>
    SlowConsumerWriteDeadline,

    /// <summary>Writing to the peer failed.</summary>
    WriteError,

    /// <summary>Reading from the peer failed.</summary>
    ReadError,

    /// <summary>The peer sent malformed protocol (or an -ERR).</summary>
    ParseError,

    /// <summary>Too many PINGs went unanswered.</summary>
    StaleConnection,

    /// <summary>The peer broke the protocol (an unknown operation, invalid CONNECT JSON).</summary>
    ProtocolViolation,

    /// <summary>CONNECT asked for an unknown protocol level.</summary>
    BadClientProtocolVersion,

    /// <summary>The server was at max_connections.</summary>
    MaxConnectionsExceeded,

    /// <summary>A message was larger than max_payload.</summary>
    MaxPayloadExceeded,

    /// <summary>A control line was longer than max_control_line.</summary>
    MaxControlLineExceeded,

    /// <summary>nats-server's reason for going over max_subscriptions (this server answers <c>-ERR</c> and keeps the connection).</summary>
    MaxSubscriptionsExceeded,

    /// <summary>A second route to the same server (or a route to ourselves).</summary>
    DuplicateRoute,

    /// <summary>The route was removed from the configuration.</summary>
    RouteRemoved,

    /// <summary>The server shut down (or closed the client in lame duck mode).</summary>
    ServerShutdown,

    /// <summary>The user's authorization expired.</summary>
    AuthenticationExpired,

    /// <summary>The account the user belongs to does not exist.</summary>
    MissingAccount,

    /// <summary>CONNECT asked for no_responders without headers.</summary>
    NoRespondersRequiresHeaders,

    /// <summary>A route from a server of another cluster.</summary>
    ClusterNameConflict,

    /// <summary>HPUB from a connection that did not negotiate headers.</summary>
    MsgHeaderViolation,

    /// <summary>The account was at its max_connections.</summary>
    MaxAccountConnectionsExceeded,

    /// <summary>A link dialled a port of another kind (a client or route port for a gateway).</summary>
    WrongPort,

    /// <summary>A gateway of an unexpected or refused cluster.</summary>
    WrongGateway,

    /// <summary>The user's credentials were revoked while connected (nats-server's <c>Revocation</c>).</summary>
    Revocation,
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
        ClosedReason.MaxAccountConnectionsExceeded => "Maximum Account Connections Exceeded",
        ClosedReason.WrongPort => "Wrong Port",
        ClosedReason.WrongGateway => "Wrong Gateway",
        ClosedReason.Revocation => "Credentials Revoked",
        _ => "Unknown State",
    };
}
