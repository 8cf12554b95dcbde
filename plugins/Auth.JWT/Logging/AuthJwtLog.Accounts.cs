using Microsoft.Extensions.Logging;

namespace Nats.AuthJwt.Logging;

/// <summary>Accounts made from JWTs: fetches, updates, removal, expiry, revocations, and the resolver directory's expiry. Event ids 910–929.</summary>
internal static partial class AuthJwtLog
{
    [LoggerMessage(EventId = 910, Level = LogLevel.Warning, Message = "Account fetch failed for {Account}: {Error}")]
    public static partial void AccountFetchFailed(ILogger logger, string account, string? error);

    [LoggerMessage(EventId = 911, Level = LogLevel.Information, Message = "Updated account {Account} from its JWT")]
    public static partial void AccountUpdated(ILogger logger, string account);

    [LoggerMessage(EventId = 912, Level = LogLevel.Information, Message = "Account {Account} removed; {Count} client(s) disconnected")]
    public static partial void AccountRemoved(ILogger logger, string account, int count);

    [LoggerMessage(EventId = 913, Level = LogLevel.Information, Message = "Account {Account} JWT expired; {Count} client(s) disconnected")]
    public static partial void AccountExpired(ILogger logger, string account, int count);

    [LoggerMessage(EventId = 914, Level = LogLevel.Information, Message = "User {User} of account {Account} revoked; disconnecting")]
    public static partial void UserRevoked(ILogger logger, string? user, string account);

    [LoggerMessage(EventId = 915, Level = LogLevel.Debug, Message = "Removed expired jwt of {Account} from {Directory}")]
    public static partial void ExpiredJwtRemoved(ILogger logger, string account, string directory);

    [LoggerMessage(EventId = 916, Level = LogLevel.Warning, Message = "Removing expired jwts from {Directory} failed: {Error}")]
    public static partial void ExpiredJwtRemovalFailed(ILogger logger, string directory, string error);
}
