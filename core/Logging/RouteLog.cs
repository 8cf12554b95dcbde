using Microsoft.Extensions.Logging;
using Nats.Core.Connections;

namespace Nats.Core.Logging;

/// <summary>
/// Cluster (route) events in nats-server's wording and levels, each prefixed with the route
/// as nats-server prints it (<c>127.0.0.1:6222 - rid:4</c>). Event ids 200–299.
/// </summary>
internal static partial class RouteLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Cluster name is {Name}")]
    public static partial void ClusterName(ILogger logger, string name);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Cluster name was dynamically generated, consider setting one")]
    public static partial void ClusterNameDynamic(ILogger logger);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Listening for route connections on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "{Route} - Route connection created")]
    public static partial void Created(ILogger logger, LinkConnection route);

    /// <summary>nats-server names the kind "Router" here.</summary>
    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "{Route} - Router connection closed: {Reason}")]
    public static partial void Closed(ILogger logger, LinkConnection route, string reason);

    [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "Trying to connect to route on {Host}:{Port}")]
    public static partial void Dialling(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 206, Message = "Error trying to connect to route (attempt {Attempt}): {Error}")]
    public static partial void DialFailed(ILogger logger, LogLevel level, int attempt, string error);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "Adding route {Url}")]
    public static partial void Adding(ILogger logger, Uri url);

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "Removing route {Url}")]
    public static partial void Removing(ILogger logger, Uri? url);

    [LoggerMessage(EventId = 209, Level = LogLevel.Debug, Message = "{Route} - Detected route to self, ignoring")]
    public static partial void RouteToSelf(ILogger logger, LinkConnection route);

    /// <summary>The peer's INFO names another cluster.</summary>
    [LoggerMessage(EventId = 210, Level = LogLevel.Error, Message = "{Route} - Cluster name \"{Remote}\" does not match \"{Local}\"")]
    public static partial void ClusterNameMismatch(ILogger logger, LinkConnection route, string? remote, string local);

    [LoggerMessage(EventId = 211, Level = LogLevel.Error, Message = "{Route} - Remote server has a duplicate name: \"{Name}\"")]
    public static partial void DuplicateName(ILogger logger, LinkConnection route, string? name);

    [LoggerMessage(EventId = 212, Level = LogLevel.Debug, Message = "{Route} - Detected duplicate remote route \"{Id}\"")]
    public static partial void DuplicateRoute(ILogger logger, LinkConnection route, string id);

    [LoggerMessage(EventId = 213, Level = LogLevel.Debug, Message = "{Route} - Registering remote route \"{Id}\"")]
    public static partial void Registering(ILogger logger, LinkConnection route, string id);

    [LoggerMessage(EventId = 214, Level = LogLevel.Error, Message = "Error parsing URL from INFO: {Ip}")]
    public static partial void BadInfoUrl(ILogger logger, string? ip);

    /// <summary>An inbound route's CONNECT refused (wrong cluster, credentials, a gateway on the route port).</summary>
    [LoggerMessage(EventId = 215, Level = LogLevel.Error, Message = "{Route} - {Reason}")]
    public static partial void Rejecting(ILogger logger, LinkConnection route, string reason);

    /// <summary>The peer sent <c>-ERR</c> (nats-server: <c>Route Error 'text'</c>).</summary>
    [LoggerMessage(EventId = 216, Level = LogLevel.Error, Message = "{Route} - Route Error '{Error}'")]
    public static partial void RouteError(ILogger logger, LinkConnection route, string error);

    [LoggerMessage(EventId = 217, Level = LogLevel.Error, Message = "{Route} - Route parser ERROR: {Status}: proto='{Snippet}...'")]
    public static partial void ProtocolError(ILogger logger, LinkConnection route, string status, string snippet);

    [LoggerMessage(EventId = 218, Level = LogLevel.Debug, Message = "{Route} - Unknown account \"{Account}\" for remote subject \"{Subject}\"")]
    public static partial void UnknownAccount(ILogger logger, LinkConnection route, string account, string subject);

    [LoggerMessage(EventId = 219, Level = LogLevel.Debug, Message = "{Route} - Invalid remote subject \"{Subject}\"")]
    public static partial void InvalidSubject(ILogger logger, LinkConnection route, string subject);

    [LoggerMessage(EventId = 220, Level = LogLevel.Debug, Message = "{Route} - Route connect msg sent")]
    public static partial void ConnectSent(ILogger logger, LinkConnection route);
}
