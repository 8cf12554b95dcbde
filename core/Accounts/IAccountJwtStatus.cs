namespace Nats.Core.Accounts;

/// <summary>
/// What operator mode knows of a JWT account beyond its definition, for <c>/accountz</c> and
/// <c>$SYS.REQ.ACCOUNT.&lt;id&gt;.INFO</c>: nats-server's <c>expired</c>, <c>validation_result_jwt</c>
/// and <c>revoked_user</c>. The plugin that made the definition from a JWT sets it on
/// <see cref="Config.AccountConfig.JwtStatus"/>; the kernel only shows it.
/// </summary>
/// <remarks>Must be thread-safe: monitoring requests ask concurrently. Answers depend on the time asked.</remarks>
public interface IAccountJwtStatus
{
    /// <summary>Whether the JWT has expired at <paramref name="now"/> (nats-server's <c>Account.expired</c>).</summary>
    bool IsExpired(DateTimeOffset now);

    /// <summary>The claims' validation at <paramref name="now"/>, jwt's findings in jwt's order (empty when valid).</summary>
    IReadOnlyList<JwtValidationIssue> Validate(DateTimeOffset now);

    /// <summary>Revoked users: user public key (or <c>*</c>) → JWTs issued at or before this time are revoked.</summary>
    IReadOnlyDictionary<string, DateTimeOffset> RevokedUsers { get; }
}

/// <summary>One finding of a JWT's validation (jwt's <c>ValidationIssue</c>, nats-server's <c>ExtVrIssues</c>).</summary>
/// <param name="Description">What was found, in jwt's words.</param>
/// <param name="Blocking">An error: the claims must not be used.</param>
/// <param name="TimeCheck">An expiry or not-before finding.</param>
public sealed record JwtValidationIssue(string Description, bool Blocking, bool TimeCheck);
