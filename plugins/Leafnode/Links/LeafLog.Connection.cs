using Microsoft.Extensions.Logging;

namespace Nats.Leafnode.Links;

/// <summary>
/// A leafnode connection's lines: each starts with the link as nats-server prints it and its
/// <c>" - "</c> separator (<c>127.0.0.1:7422 - lid:4 - Leafnode connection created</c>), as
/// routes', gateways' and clients' do. Event ids 720–759.
/// </summary>
internal static partial class LeafLog
{
    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "{Leaf} - Leafnode connection created{Suffix}")]
    public static partial void Created(ILogger logger, LeafConnection leaf, string suffix);

    [LoggerMessage(EventId = 721, Level = LogLevel.Debug, Message = "{Leaf} - Leafnode connection registered on account {Account}")]
    public static partial void Registered(ILogger logger, LeafConnection leaf, string? account);

    /// <summary>nats-server names the account even when none was bound (then empty).</summary>
    [LoggerMessage(EventId = 722, Level = LogLevel.Information, Message = "{Leaf} - Leafnode connection closed: {Reason} account: {Account}")]
    public static partial void Closed(ILogger logger, LeafConnection leaf, string reason, string account);

    [LoggerMessage(EventId = 723, Level = LogLevel.Error, Message = "{Leaf} - authentication error - {Reason}")]
    public static partial void AuthenticationError(ILogger logger, LeafConnection leaf, string? reason);

    [LoggerMessage(EventId = 724, Level = LogLevel.Error, Message = "{Leaf} - authentication error after reload - {Reason}")]
    public static partial void ReloadAuthenticationError(ILogger logger, LeafConnection leaf, string reason);

    [LoggerMessage(EventId = 725, Level = LogLevel.Error, Message = "{Leaf} - TLS required by the hub but remote {Remote} has no tls configuration")]
    public static partial void NoTlsForRemote(ILogger logger, LeafConnection leaf, string remote);

    /// <summary>
    /// A refusal whose text is also the <c>-ERR</c> or close reason (a gateway on the leafnode port,
    /// a version below <c>min_version</c>, a loop, an unreadable credentials file).
    /// </summary>
    [LoggerMessage(EventId = 726, Level = LogLevel.Error, Message = "{Leaf} - {Reason}")]
    public static partial void Refused(ILogger logger, LeafConnection leaf, string reason);

    [LoggerMessage(EventId = 727, Level = LogLevel.Error, Message = "{Leaf} - Unable to lookup account {Account} for solicited leafnode connection")]
    public static partial void MissingAccount(ILogger logger, LeafConnection leaf, string account);

    [LoggerMessage(EventId = 728, Level = LogLevel.Error, Message = "{Leaf} - Authentication Timeout")]
    public static partial void AuthenticationTimeout(ILogger logger, LeafConnection leaf);

    [LoggerMessage(EventId = 729, Level = LogLevel.Error, Message = "{Leaf} - attempted to connect to leaf node port")]
    public static partial void ClientOnLeafPort(ILogger logger, LeafConnection leaf);

    [LoggerMessage(EventId = 730, Level = LogLevel.Error, Message = "{Leaf} - remote leafnode has same cluster name")]
    public static partial void SameClusterName(ILogger logger, LeafConnection leaf);

    [LoggerMessage(EventId = 731, Level = LogLevel.Error, Message = "{Leaf} - attempted to connect to wrong port")]
    public static partial void WrongPort(ILogger logger, LeafConnection leaf);

    /// <summary>The peer sent <c>-ERR</c>.</summary>
    [LoggerMessage(EventId = 732, Level = LogLevel.Error, Message = "{Leaf} - Leafnode Error '{Error}'")]
    public static partial void LeafnodeError(ILogger logger, LeafConnection leaf, string error);

    [LoggerMessage(EventId = 733, Level = LogLevel.Error, Message = "{Leaf} - leafnode protocol error ({Status})")]
    public static partial void ProtocolError(ILogger logger, LeafConnection leaf, Protocol.LeafParseStatus status);

    [LoggerMessage(EventId = 734, Level = LogLevel.Error, Message = "{Leaf} - Duplicate Remote LeafNode Connection")]
    public static partial void Duplicate(ILogger logger, LeafConnection leaf);

    [LoggerMessage(EventId = 735, Level = LogLevel.Error, Message = "{Leaf} - Maximum leafnode connections of account {Account} reached")]
    public static partial void MaxAccountConnections(ILogger logger, LeafConnection leaf, string account);

    /// <summary>What the JetStream deny rules of the link say they add (nats-server's notices).</summary>
    [LoggerMessage(EventId = 736, Level = LogLevel.Information, Message = "{Leaf} - {Text}")]
    public static partial void JetStreamNotice(ILogger logger, LeafConnection leaf, string text);

    [LoggerMessage(EventId = 737, Level = LogLevel.Information, Message = "{Leaf} - Adding JetStream Domain Mapping \"{Source}\" -> {Destination} to account \"{Account}\"")]
    public static partial void DomainMapping(ILogger logger, LeafConnection leaf, string source, string destination, string account);
}
