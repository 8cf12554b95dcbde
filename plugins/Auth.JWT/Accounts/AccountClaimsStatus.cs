using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.Core.Accounts;

namespace Nats.AuthJwt.Accounts;

/// <summary>
/// A JWT account's expiry, validation and revoked users as the kernel's <c>/accountz</c> shows them
/// (nats-server's <c>accountInfo</c>: <c>a.expired</c>, <c>claim.Validate</c> at the time asked,
/// <c>a.usersRevoked</c>). Immutable over verified claims, so thread-safe.
/// </summary>
internal sealed class AccountClaimsStatus(AccountClaims claims) : IAccountJwtStatus
{
    /// <inheritdoc />
    public IReadOnlyDictionary<string, DateTimeOffset> RevokedUsers { get; } = Times(claims.Nats.Revocations);

    /// <summary>nats-server's expiry timer fires at the <c>exp</c> second and marks the account expired.</summary>
    public bool IsExpired(DateTimeOffset now) => claims.Expires > 0 && now >= DateTimeOffset.FromUnixTimeSeconds(claims.Expires);

    /// <inheritdoc />
    public IReadOnlyList<JwtValidationIssue> Validate(DateTimeOffset now)
    {
        var vr = new ValidationResults();
        claims.Validate(vr, now);
        return [.. vr.Issues.Select(i => new JwtValidationIssue(i.Description, i.Blocking, i.TimeCheck))];
    }

    /// <summary>A JWT revocation list (key → unix seconds) as times.</summary>
    internal static Dictionary<string, DateTimeOffset> Times(IReadOnlyDictionary<string, long>? revocations) =>
        revocations is null ? [] : revocations.ToDictionary(r => r.Key, r => DateTimeOffset.FromUnixTimeSeconds(r.Value), StringComparer.Ordinal);
}
