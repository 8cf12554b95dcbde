using Microsoft.Extensions.Logging;

namespace Nats.WebSocket;

/// <summary>
/// The WebSocket plugin's log lines, in nats-server's wording. Event ids 500–599 (the kernel uses
/// 1–399, the Gateway plugin 400–499).
/// </summary>
internal static partial class WebSocketLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Listening for websocket clients on {Scheme}://{Address}")]
    public static partial void Listening(ILogger logger, string scheme, string address);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Websocket not configured with TLS. DO NOT USE IN PRODUCTION!")]
    public static partial void NoTls(ILogger logger);

    /// <summary>An upgrade request refused (bad origin, missing header…), in the words nats-server logs it.</summary>
    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "{Error}")]
    public static partial void UpgradeRefused(ILogger logger, string error);

    [LoggerMessage(EventId = 503, Level = LogLevel.Debug, Message = "{Remote} - websocket handshake error: {Reason}")]
    public static partial void HandshakeError(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 504, Level = LogLevel.Error, Message = "Not configured to accept {What} connections")]
    public static partial void NotAccepting(ILogger logger, string what);
}
