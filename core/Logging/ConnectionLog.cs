using Microsoft.Extensions.Logging;
using Nats.Core.Connections;

namespace Nats.Core.Logging;

/// <summary>
/// What happens to one connection (client or link), in nats-server's wording and at its
/// levels, each line prefixed with the connection as nats-server prints it
/// (<c>127.0.0.1:52345 - cid:5 - "v1.2.3:go:name"</c>). Event ids 100–199. Lines a peer can
/// repeat at will go through a <see cref="LogLimits"/> rate limit (see the <c>Limited</c> callers).
/// </summary>
internal static partial class ConnectionLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "{Connection} - Client connection created")]
    public static partial void ClientCreated(ILogger logger, NatsConnection connection);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "{Connection} - Client connection closed: {Reason}")]
    public static partial void ClientClosed(ILogger logger, NatsConnection connection, string reason);

    /// <summary>Which scheme refused and why (the check that failed), never the secret.</summary>
    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "{Connection} - authentication error - {Scheme}: {Reason}")]
    public static partial void AuthenticationError(ILogger logger, NatsConnection connection, string scheme, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "{Connection} - Slow Consumer Detected: MaxPending of {MaxPending} Exceeded")]
    public static partial void SlowConsumerMaxPending(ILogger logger, NatsConnection connection, long maxPending);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "{Connection} - Slow Consumer Detected: WriteDeadline of {Deadline} exceeded with {Pending} total bytes.")]
    public static partial void SlowConsumerWriteDeadline(ILogger logger, NatsConnection connection, string deadline, long pending);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "{Connection} - Stale Client Connection - Closing")]
    public static partial void Stale(ILogger logger, NatsConnection connection);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "{Connection} - maximum connections exceeded")]
    public static partial void MaxConnectionsExceeded(ILogger logger, NatsConnection connection);

    /// <summary>A client's handshake (nats-server: <c>TLS handshake error</c>), at error level for every cause as nats-server logs it; rate limited.</summary>
    [LoggerMessage(EventId = 107, Message = "{Connection} - TLS handshake error: {Reason}")]
    public static partial void TlsHandshakeError(ILogger logger, LogLevel level, NatsConnection connection, string reason);

    /// <summary>A link's handshake (nats-server: <c>TLS route handshake error</c>).</summary>
    [LoggerMessage(EventId = 108, Message = "{Connection} - TLS {Kind} handshake error: {Reason}")]
    public static partial void LinkTlsHandshakeError(ILogger logger, LogLevel level, NatsConnection connection, string kind, string reason);

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "{Connection} - TLS {Kind} handshake complete: {Protocol} {Cipher}")]
    public static partial void TlsHandshakeComplete(ILogger logger, NatsConnection connection, string kind, System.Security.Authentication.SslProtocols protocol, string cipher);

    /// <summary>A parser error with a quoted snippet of the offending bytes (nats-server's <c>Client parser ERROR</c> and kin).</summary>
    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "{Connection} - {Error}")]
    public static partial void ProtocolError(ILogger logger, NatsConnection connection, string error);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "{Connection} - unexpected error")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, NatsConnection connection);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "{Connection} - no longer authorized after reload")]
    public static partial void NoLongerAuthorized(ILogger logger, NatsConnection connection);

    [LoggerMessage(EventId = 113, Level = LogLevel.Error, Message = "{Transport} {Kind} connection from {Remote} failed")]
    public static partial void AcceptedStreamFailed(ILogger logger, Exception exception, string transport, Nats.Core.Plugins.ConnectionKind kind, System.Net.IPEndPoint? remote);

    /// <summary>The first accept error of a streak (nats-server logs it at error level, the rest at debug).</summary>
    [LoggerMessage(EventId = 114, Level = LogLevel.Error, Message = "Temporary {Name} accept error ({Message}), backing off from {Sleep} ms")]
    public static partial void AcceptErrorStreakStarted(ILogger logger, string name, string message, int sleep);

    [LoggerMessage(EventId = 115, Level = LogLevel.Debug, Message = "Temporary {Name} accept error ({Message}), sleeping {Sleep} ms")]
    public static partial void AcceptErrorContinues(ILogger logger, string name, string message, int sleep);

    [LoggerMessage(EventId = 116, Level = LogLevel.Information, Message = "{Name} accepting connections again")]
    public static partial void AcceptingAgain(ILogger logger, string name);

    [LoggerMessage(EventId = 117, Level = LogLevel.Error, Message = "{Name} connection from {Remote} failed")]
    public static partial void AcceptedSocketFailed(ILogger logger, Exception exception, string name, System.Net.EndPoint? remote);

    /// <summary>
    /// Says why <paramref name="connection"/> is being closed, for the reasons nats-server logs
    /// at close time (slow consumer, stale), within the server's rate limits.
    /// </summary>
    public static void Closing(ILogger logger, LogLimits limits, NatsConnection connection, ClosedReason reason, long maxPending, TimeSpan writeDeadline)
    {
        switch (reason)
        {
            case ClosedReason.SlowConsumerPendingBytes when limits.SlowConsumers.Allow(logger, LogLevel.Information):
                SlowConsumerMaxPending(logger, connection, maxPending);
                break;
            case ClosedReason.SlowConsumerWriteDeadline when limits.SlowConsumers.Allow(logger, LogLevel.Information):
                SlowConsumerWriteDeadline(logger, connection, Monitoring.GoFormat.Duration(writeDeadline), connection.PendingBytes);
                break;
            case ClosedReason.StaleConnection when limits.StaleConnections.Allow(logger, LogLevel.Debug):
                Stale(logger, connection);
                break;
        }
    }
}
