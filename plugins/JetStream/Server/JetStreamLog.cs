using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Server;

/// <summary>
/// The JetStream plugin's server-level lines: its start banner, accounts, the API queue and
/// <c>default_js_domain</c>. Event ids 800–819 (the plugin has 800–899; the engine's lines are in
/// <c>JsAccountLog</c>, the stores' in <c>StoreLog</c>).
/// </summary>
internal static partial class JetStreamLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "Starting JetStream")]
    public static partial void Starting(ILogger logger);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "  Store directory:  \"{Dir}\"")]
    public static partial void StoreDirectory(ILogger logger, string dir);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "  Sync:             {Sync}")]
    public static partial void Sync(ILogger logger, string sync);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information, Message = "  Accounts:         {Accounts}")]
    public static partial void Accounts(ILogger logger, string accounts);

    /// <summary><paramref name="state"/> is <c>enabled</c> or <c>disabled</c>.</summary>
    [LoggerMessage(EventId = 804, Level = LogLevel.Information, Message = "JetStream {State} for account {Account}")]
    public static partial void AccountState(ILogger logger, string state, string account);

    [LoggerMessage(EventId = 805, Level = LogLevel.Warning, Message = "JetStream API queue limit reached in account {Account}, dropping {Dropped} requests")]
    public static partial void ApiQueueLimit(ILogger logger, string account, int dropped);

    [LoggerMessage(EventId = 806, Level = LogLevel.Error, Message = "JetStream: handling {Subject} in account {Account} failed")]
    public static partial void ApiRequestFailed(ILogger logger, Exception error, string subject, string account);

    [LoggerMessage(EventId = 807, Level = LogLevel.Warning, Message = "The option `default_js_domain` is a temporary backwards compatibility measure and will be removed")]
    public static partial void DefaultDomainIsTemporary(ILogger logger);

    [LoggerMessage(EventId = 808, Level = LogLevel.Warning, Message = "Skipping Default Domain \"{Domain}\", set for JetStream enabled account \"{Account}\"")]
    public static partial void DefaultDomainSkipped(ILogger logger, string domain, string account);

    [LoggerMessage(EventId = 809, Level = LogLevel.Information, Message = "Adding default domain mapping \"{Source}\" -> \"{Destination}\" to account \"{Account}\"")]
    public static partial void DefaultDomainMapping(ILogger logger, string source, string destination, string account);
}
