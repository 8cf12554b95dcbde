using Microsoft.Extensions.Logging;
using Nats.Core.Connections;

namespace Nats.Core.Logging;

/// <summary>
/// The protocol trace (<c>-V</c>/<c>-DV</c>): one line per operation a connection receives
/// (<c>&lt;&lt;-</c>) or is sent (<c>-&gt;&gt;</c>), and the server's own actions on it
/// (<c>&lt;-&gt;</c>), worded as nats-server's <c>[TRC]</c> lines. Event ids 300–399.
/// </summary>
internal static partial class TraceLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Trace, Message = "{Connection} - <<- [{Operation}]")]
    public static partial void Received(ILogger logger, NatsConnection connection, string operation);

    /// <summary>A message's payload (headers included), quoted, cut at <c>max_traced_msg_len</c>.</summary>
    [LoggerMessage(EventId = 301, Level = LogLevel.Trace, Message = "{Connection} - <<- MSG_PAYLOAD: [{Payload}]")]
    public static partial void ReceivedPayload(ILogger logger, NatsConnection connection, string payload);

    [LoggerMessage(EventId = 302, Level = LogLevel.Trace, Message = "{Connection} - ->> [{Operation}]")]
    public static partial void Sent(ILogger logger, NatsConnection connection, string operation);

    /// <summary>What the server did on the connection's behalf (nats-server's <c>DELSUB</c>).</summary>
    [LoggerMessage(EventId = 303, Level = LogLevel.Trace, Message = "{Connection} - <-> [{Operation}]")]
    public static partial void Internal(ILogger logger, NatsConnection connection, string operation);
}
