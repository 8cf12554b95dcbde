using Microsoft.Extensions.Logging;

namespace Nats.AuthJwt.Logging;

/// <summary>
/// The resolver's system-account requests (claim updates, lookups, the cluster's pack/merge
/// sync), in nats-server's words (its <c>DirResolver - …</c> lines and <c>respondToUpdate</c>).
/// Event ids 930–949.
/// </summary>
internal static partial class AuthJwtLog
{
    [LoggerMessage(EventId = 930, Level = LogLevel.Error, Message = "Handling {Subject} failed: {Error}")]
    public static partial void RequestFailed(ILogger logger, string subject, string error);

    [LoggerMessage(EventId = 931, Level = LogLevel.Error, Message = "DirResolver - Update for account \"{Account}\" resulted in error {Error}")]
    public static partial void UpdateFailed(ILogger logger, string account, string error);

    /// <summary>nats-server's <c>respondToUpdate</c> without an error: at debug.</summary>
    [LoggerMessage(EventId = 932, Level = LogLevel.Debug, Message = "{Message} - {Account}")]
    public static partial void UpdateResponse(ILogger logger, string message, string? account);

    /// <summary>nats-server's <c>respondToUpdate</c> with an error.</summary>
    [LoggerMessage(EventId = 933, Level = LogLevel.Error, Message = "{Message} - {Account} - {Error}")]
    public static partial void UpdateError(ILogger logger, string message, string? account, string error);

    [LoggerMessage(EventId = 934, Level = LogLevel.Warning, Message = "DirResolver - pack request failed: {Error}")]
    public static partial void PackRequestFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 935, Level = LogLevel.Error, Message = "DirResolver - Merging resulted in error: {Error}")]
    public static partial void MergeFailed(ILogger logger, string error);
}
