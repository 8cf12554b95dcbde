using Microsoft.Extensions.Logging;
using Nats.Core.Connections;

namespace Nats.Gateway;

/// <summary>
/// Gateway events in nats-server's wording and levels; a connection's lines start with the
/// link as nats-server prints it and its <c>" - "</c> separator
/// (<c>127.0.0.1:7222 - gid:5 - "B" - Outbound gateway connection to "B" closed: Client Closed</c>),
/// as routes' and clients' do. Event ids 400–499.
/// </summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Gateway name is {Name}")]
    public static partial void Name(ILogger logger, string name);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Listening for gateways connections on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Address for gateway \"{Name}\" is {Url}")]
    public static partial void Address(ILogger logger, string name, string url);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Connecting to {Kind} gateway \"{Name}\" ({Url}) (attempt {Attempt})")]
    public static partial void Connecting(ILogger logger, string kind, string name, string url, int attempt);

    [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "Error connecting to {Kind} gateway \"{Name}\" ({Url}) (attempt {Attempt})")]
    public static partial void ConnectFailed(ILogger logger, string kind, string name, string url, int attempt);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "{Gateway} - Creating outbound gateway connection to \"{Name}\"")]
    public static partial void CreatingOutbound(ILogger logger, LinkConnection gateway, string name);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "{Gateway} - Processing inbound gateway connection")]
    public static partial void ProcessingInbound(ILogger logger, LinkConnection gateway);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "{Gateway} - Outbound gateway connection to \"{Name}\" ({Id}) registered")]
    public static partial void OutboundRegistered(ILogger logger, LinkConnection gateway, string name, string? id);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "{Gateway} - Inbound gateway connection from \"{Name}\" ({Id}) registered")]
    public static partial void InboundRegistered(ILogger logger, LinkConnection gateway, string? name, string? id);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "{Gateway} - Outbound gateway connection to \"{Name}\" closed: {Reason}")]
    public static partial void OutboundClosed(ILogger logger, LinkConnection gateway, string name, string reason);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "{Gateway} - Inbound gateway connection from \"{Name}\" closed: {Reason}")]
    public static partial void InboundClosed(ILogger logger, LinkConnection gateway, string name, string reason);

    /// <summary>An inbound CONNECT refused (no gateway name, credentials, an unknown gateway, the wrong port); <paramref name="reason"/> is nats-server's text.</summary>
    [LoggerMessage(EventId = 411, Level = LogLevel.Error, Message = "{Gateway} - {Reason}")]
    public static partial void Rejecting(ILogger logger, LinkConnection gateway, string reason);

    [LoggerMessage(EventId = 412, Level = LogLevel.Error, Message = "{Gateway} - Failing connection to gateway \"{Name}\", remote gateway name is \"{Remote}\"")]
    public static partial void WrongRemoteName(ILogger logger, LinkConnection gateway, string name, string? remote);

    [LoggerMessage(EventId = 413, Level = LogLevel.Error, Message = "{Gateway} - processGatewaySubjectSub Parse Error: '{Arguments}'")]
    public static partial void BadInterestArguments(ILogger logger, LinkConnection gateway, string arguments);

    [LoggerMessage(EventId = 414, Level = LogLevel.Error, Message = "{Gateway} - Received {Op} from gateway on inbound connection")]
    public static partial void WrongDirection(ILogger logger, LinkConnection gateway, string op);

    /// <summary>The peer sent <c>-ERR</c>.</summary>
    [LoggerMessage(EventId = 415, Level = LogLevel.Error, Message = "{Gateway} - Gateway Error {Error}")]
    public static partial void GatewayError(ILogger logger, LinkConnection gateway, string error);

    [LoggerMessage(EventId = 416, Level = LogLevel.Error, Message = "{Gateway} - gateway protocol error: {Problem}")]
    public static partial void ProtocolError(ILogger logger, LinkConnection gateway, string problem);

    [LoggerMessage(EventId = 417, Level = LogLevel.Warning, Message = "Received unknown command {Command} from gateway \"{Name}\"")]
    public static partial void UnknownCommand(ILogger logger, int command, string? name);

    [LoggerMessage(EventId = 418, Level = LogLevel.Error, Message = "Unknown command {Command} from server {Server}")]
    public static partial void UnknownClusterCommand(ILogger logger, int command, string? server);

    [LoggerMessage(EventId = 419, Level = LogLevel.Information, Message = "gateway: TLS configuration reloaded")]
    public static partial void TlsReloaded(ILogger logger);
}
