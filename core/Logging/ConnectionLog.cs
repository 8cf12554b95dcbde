using System.Globalization;
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

    /// <summary>
    /// nats-server's slow consumer line (max_pending), rendered here and logged as text: see
    /// <see cref="LogRendered"/>.
    /// </summary>
    public static void SlowConsumerMaxPending(ILogger logger, NatsConnection connection, long maxPending) =>
        LogRendered(logger, 103, nameof(SlowConsumerMaxPending), string.Concat(
            connection.ToString(), " - Slow Consumer Detected: MaxPending of ", maxPending.ToString(CultureInfo.InvariantCulture), " Exceeded"));

    /// <summary>nats-server's slow consumer line (write_deadline), as <see cref="SlowConsumerMaxPending"/>.</summary>
    public static void SlowConsumerWriteDeadline(ILogger logger, NatsConnection connection, string deadline, long pending) =>
        LogRendered(logger, 104, nameof(SlowConsumerWriteDeadline), string.Concat(
            connection.ToString(), " - Slow Consumer Detected: WriteDeadline of ", deadline, " exceeded with ", pending.ToString(CultureInfo.InvariantCulture), " total bytes."));

    /// <summary>
    /// Logs a line rendered by the caller at information level. The slow consumer lines go this
    /// way instead of through <c>[LoggerMessage]</c>: the first one of a process is logged while
    /// a publisher's fan-out is in full flow, and as a <c>(NatsConnection, long)</c> message it
    /// compiled its own generic logging path then (about 20 methods for the value type's
    /// instantiations, some fully optimized at once because they loop) after running this
    /// class's static initializer (every message defined here): 8-11 ms for the line and 1.5-6
    /// ms for the initializer on a thread beside the publisher, where a warm process takes 0.2
    /// ms (docs/benchmarks.md, "The stuck subscriber's close"). string.Concat and a string state
    /// use code compiled ahead of time or at start-up.
    /// </summary>
    private static void LogRendered(ILogger logger, int id, string name, string line)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(id, name), line, null, static (text, _) => text);
        }
    }

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
