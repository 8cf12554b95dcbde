using Microsoft.Extensions.Logging;

namespace Nats.AuthJwt.Logging;

/// <summary>
/// The Auth.JWT plugin's set-up (trusted operators, callout, resolver directory) and its
/// authentication decisions. Event ids 900–909 (the plugin has 900–999; accounts are 910–929,
/// the system account's resolver requests 930–949).
/// </summary>
internal static partial class AuthJwtLog
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "auth-jwt: resolver settings without operator or trusted_keys are ignored")]
    public static partial void ResolverSettingsIgnored(ILogger logger);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Trusted Operators: {Operators}")]
    public static partial void TrustedOperators(ILogger logger, string operators);

    /// <summary><paramref name="sealedTo"/> is empty, or <c>", sealed to "</c> and the xkey requests are encrypted for.</summary>
    [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "Auth callout: requests on $SYS.REQ.USER.AUTH in account {Account}, issuer {Issuer}{SealedTo}")]
    public static partial void CalloutConfigured(ILogger logger, string account, string issuer, string sealedTo);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "Managing all jwt in exclusive directory {Directory}")]
    public static partial void ManagingDirectory(ILogger logger, string directory);

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "resolver_preload: account {Account} not updated: {Error}")]
    public static partial void PreloadNotUpdated(ILogger logger, string account, string error);

    /// <summary>At debug: the client is told, and the kernel logs the authentication error itself.</summary>
    [LoggerMessage(EventId = 905, Level = LogLevel.Debug, Message = "User JWT refused: {Reason}")]
    public static partial void UserJwtRefused(ILogger logger, string? reason);

    [LoggerMessage(EventId = 906, Level = LogLevel.Debug, Message = "Auth callout of account {Account} placed user {User} in {Target}")]
    public static partial void CalloutPlacedUser(ILogger logger, string account, string user, string target);
}
