using System.Net;
using Nats.AuthJwt.Jwt.Claims;
using Nats.Core.Config;

namespace Nats.AuthJwt.Auth;

/// <summary>What the check sees of a connecting client: its CONNECT credentials, how and from where it connects, and when.</summary>
public sealed record UserJwtRequest
{
    /// <summary>CONNECT <c>jwt</c>.</summary>
    public string? Jwt { get; init; }

    /// <summary>CONNECT <c>sig</c>: the nonce signed with the user's seed.</summary>
    public string? Signature { get; init; }

    /// <summary>The nonce the server sent in INFO (as its ASCII bytes).</summary>
    public ReadOnlyMemory<byte> Nonce { get; init; }

    /// <summary>nats-server's connection type name (<c>STANDARD</c>, <c>WEBSOCKET</c>, <c>LEAFNODE</c>, <c>MQTT</c>…).</summary>
    public string ConnectionType { get; init; } = AllowedConnectionTypes.Standard;

    /// <summary>The client's address, for <c>src</c>.</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>The time to check expiry, revocation-free windows and <c>times</c> against.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The connection came through a trusted proxy (for <c>proxy_required</c> users).</summary>
    public bool FromTrustedProxy { get; init; }
}

/// <summary>The answer of an account lookup: verified claims, or why there are none.</summary>
/// <param name="Claims">The account's claims, already verified (<see cref="AccountClaimsVerifier"/>).</param>
/// <param name="Error">Why the account could not be found or used.</param>
public readonly record struct AccountLookup(AccountClaims? Claims, string? Error)
{
    /// <summary>The account was found with verified <paramref name="claims"/>.</summary>
    public static AccountLookup Found(AccountClaims claims) => new(claims, null);

    /// <summary>The account was not found or cannot be used, and why.</summary>
    public static AccountLookup Missing(string error) => new(null, error);
}

/// <summary>Finds an account's current claims (a resolver plus the server's registered accounts, in part 2).</summary>
public interface IAccountClaimsLookup
{
    /// <summary>Looks up the account <paramref name="accountPublicKey"/>: its verified claims, or why there are none.</summary>
    ValueTask<AccountLookup> LookupAsync(string accountPublicKey, CancellationToken cancellationToken);

    /// <summary>
    /// The account's claims when they are at hand without waiting (cached); false sends the
    /// caller to <see cref="LookupAsync"/>. Must not block: it runs on the verification threads.
    /// </summary>
    bool TryGetCached(string accountPublicKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccountClaims? claims)
    {
        claims = null;
        return false;
    }
}

/// <summary>
/// A user the checks accepted: where it goes, what it may do, until when. Limits follow
/// nats-server's <c>applyAccountLimits</c> (-1 unlimited; the server's own maximums still apply on top).
/// </summary>
public sealed record AcceptedUser
{
    /// <summary>The account's public key (the account the connection binds to).</summary>
    public required string Account { get; init; }

    /// <summary>The user's public key (the JWT subject).</summary>
    public required string User { get; init; }

    /// <summary>The JWT's <c>name</c>.</summary>
    public string? Name { get; init; }

    /// <summary>The user's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The signing key that issued the user, when not the account itself.</summary>
    public string? SigningKey { get; init; }

    /// <summary>The effective permissions (the user's, or the account's defaults when the user has none); null for none.</summary>
    public PermissionsConfig? Permissions { get; init; }

    /// <summary>True when <see cref="Permissions"/> are the account's defaults (they follow account updates).</summary>
    public bool UsesDefaultPermissions { get; init; }

    /// <summary>Max subscriptions: the user's (or scope template's) limit capped by the account's.</summary>
    public long MaxSubscriptions { get; init; } = -1;

    /// <summary>Max payload: the user's (or scope template's) limit capped by the account's.</summary>
    public long MaxPayload { get; init; } = -1;

    /// <summary>The user's data limit (bytes), as the JWT gives it.</summary>
    public long MaxData { get; init; } = -1;

    /// <summary>The connection types the JWT allows (empty: all).</summary>
    public IReadOnlySet<string> AllowedConnectionTypes { get; init; } = new HashSet<string>();

    /// <summary>When the connection must be closed: the JWT's expiry or the end of its <c>times</c> window; null for never.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>The user JWT's issue time (unix seconds), for later revocation checks.</summary>
    public long IssuedAt { get; init; }

    /// <summary>The decoded user claims, after a scope template was applied.</summary>
    public required UserClaims Claims { get; init; }
}

/// <summary>The verdict of the JWT checks: accepted with the user, or denied with the failed check.</summary>
public sealed record UserJwtOutcome
{
    /// <summary>The accepted user; null when denied.</summary>
    public AcceptedUser? User { get; private init; }

    /// <summary>The failed check, as nats-server logs it; null when accepted. The client only sees <c>Authorization Violation</c>.</summary>
    public string? Reason { get; private init; }

    /// <summary>True when the checks passed (<see cref="User"/> is set).</summary>
    public bool IsAccepted => User is not null;

    /// <summary>The checks passed for <paramref name="user"/>.</summary>
    public static UserJwtOutcome Accept(AcceptedUser user) => new() { User = user };

    /// <summary>The check that failed, as nats-server words it.</summary>
    public static UserJwtOutcome Deny(string reason) => new() { Reason = reason };

    /// <inheritdoc />
    public override string ToString() => IsAccepted ? $"accepted {User!.User} in {User.Account}" : $"denied: {Reason}";
}
