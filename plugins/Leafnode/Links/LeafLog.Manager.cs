using Microsoft.Extensions.Logging;

namespace Nats.Leafnode.Links;

/// <summary>
/// The leafnode listener's and remotes' lines, in nats-server's wording and levels. Event ids
/// 700–719 (the plugin has 700–799; a connection's own lines are in <c>LeafLog.Connection.cs</c>).
/// </summary>
internal static partial class LeafLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Listening for leafnode connections on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Remote leafnode {Remote} is disabled")]
    public static partial void RemoteDisabled(ILogger logger, string remote);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Remote leafnode {Remote} removed or disabled")]
    public static partial void RemoteRemoved(ILogger logger, string remote);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Leafnode remotes did not stop within 5s")]
    public static partial void RemotesStopTimedOut(ILogger logger);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "Removed leafnode remotes did not stop within 5s")]
    public static partial void RemovedRemotesStopTimedOut(ILogger logger);

    [LoggerMessage(EventId = 705, Level = LogLevel.Information, Message = "Reloaded: LeafNode Remote {Remote} TLS")]
    public static partial void RemoteTlsReloaded(ILogger logger, string remote);

    [LoggerMessage(EventId = 706, Level = LogLevel.Debug, Message = "Leafnode accept: could not send INFO: {Error}")]
    public static partial void AcceptInfoFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 707, Level = LogLevel.Debug, Message = "Leafnode websocket accept: could not send INFO: {Error}")]
    public static partial void WebSocketAcceptInfoFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 708, Level = LogLevel.Debug, Message = "Leafnode websocket to {Url}: compression={Compressed} masking=true")]
    public static partial void WebSocketUpgraded(ILogger logger, string url, bool compressed);

    /// <summary>The dialled port answered with a client INFO (or none): the remote's URL is not a leafnode port.</summary>
    [LoggerMessage(EventId = 709, Level = LogLevel.Error, Message = "Leafnode connection to {Url}: attempted to connect to wrong port")]
    public static partial void DialedWrongPort(ILogger logger, string url);

    /// <summary>
    /// A failed dial of a remote. nats-server reports the first attempt and every 60th at error
    /// level and the others at debug, so a hub that is down for hours does not fill the log.
    /// </summary>
    [LoggerMessage(EventId = 710, Message = "Error trying to connect as leafnode to remote server \"{Authority}\" (attempt {Attempt}): {Error}")]
    public static partial void ConnectFailed(ILogger logger, LogLevel level, string authority, int attempt, string error);
}
