using Microsoft.Extensions.Logging;

namespace Nats.Mqtt.Logging;

/// <summary>
/// The MQTT plugin's log lines, one partial per area, each prefixed with the client's address
/// as nats-server's MQTT lines are. Event ids 600–699 (the kernel uses 1–399, the Gateway plugin
/// 400–499, the WebSocket plugin 500–599). This part: a connection's CONNECT and its end, 600–629.
/// </summary>
internal static partial class MqttLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "{Remote} - mqtt client did not send CONNECT within {Timeout}")]
    public static partial void NoConnect(ILogger logger, string remote, TimeSpan timeout);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "{Remote} - mqtt: MQTT clients over websocket must connect to the Websocket port, not the MQTT port")]
    public static partial void WebSocketOnMqttPort(ILogger logger, string remote);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "{Remote} - mqtt: the first packet should be a CONNECT (1), got {Type}")]
    public static partial void FirstPacketNotConnect(ILogger logger, string remote, int type);

    [LoggerMessage(EventId = 603, Level = LogLevel.Debug, Message = "{Remote} - mqtt: unacceptable protocol version of {Level}")]
    public static partial void BadProtocolLevel(ILogger logger, string remote, int level);

    [LoggerMessage(EventId = 604, Level = LogLevel.Debug, Message = "{Remote} - mqtt: malformed CONNECT: {Reason}")]
    public static partial void MalformedConnect(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 605, Level = LogLevel.Debug, Message = "{Remote} - mqtt: authentication method {Method} is not supported")]
    public static partial void AuthenticationMethodUnsupported(ILogger logger, string remote, string? method);

    /// <summary>The kernel refused the login (its error, as it would tell a NATS client).</summary>
    [LoggerMessage(EventId = 606, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: {Error}")]
    public static partial void LoginRefused(ILogger logger, string remote, string id, string error);

    [LoggerMessage(EventId = 607, Level = LogLevel.Warning, Message = "Replacing old client \"{Old}\" since both have the same client ID \"{Id}\"")]
    public static partial void ReplacingOldClient(ILogger logger, string old, string id);

    /// <summary>The stored session belongs to another client ID with the same hash.</summary>
    [LoggerMessage(EventId = 608, Level = LogLevel.Error, Message = "{Remote} - mqtt client {Id}: {Reason}")]
    public static partial void SessionCollision(ILogger logger, string remote, string id, string reason);

    [LoggerMessage(EventId = 609, Level = LogLevel.Error, Message = "{Remote} - mqtt client {Id}: session could not be opened: {Reason}")]
    public static partial void SessionNotOpened(ILogger logger, string remote, string id, string reason);

    [LoggerMessage(EventId = 610, Level = LogLevel.Debug, Message = "{Remote} - mqtt connection ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 611, Level = LogLevel.Error, Message = "{Remote} - mqtt connection failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string remote);

    [LoggerMessage(EventId = 612, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id} keep-alive timeout")]
    public static partial void KeepAliveTimeout(ILogger logger, string remote, string id);

    [LoggerMessage(EventId = 613, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id} sent a malformed packet: {Reason}")]
    public static partial void MalformedPacket(ILogger logger, string remote, string id, string reason);

    [LoggerMessage(EventId = 614, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: closing: {Reason}")]
    public static partial void ClosingError(ILogger logger, string remote, string id, string reason);

    [LoggerMessage(EventId = 615, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: delayed will not sent (client back, or shutting down)")]
    public static partial void DelayedWillNotSent(ILogger logger, string remote, string id);
}
