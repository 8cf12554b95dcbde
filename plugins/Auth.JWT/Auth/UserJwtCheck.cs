using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Auth;

/// <summary>
/// The server-side checks of a user JWT, in nats-server's order (<c>processClientOrLeafAuthentication</c>):
/// decode and validate the user JWT; find its account (<c>issuer_account</c>, else <c>iss</c>);
/// the account's issuer must be trusted; the user's issuer must be the account or one of its
/// signing keys, and a scoped key's template replaces the user's (empty) permissions; the account
/// must not be expired; bearer tokens only where allowed; the connection type; the nonce
/// signature (skipped for bearer tokens); revocation; source network; connect times.
/// Pure apart from the account lookup; thread-safe.
/// </summary>
public sealed class UserJwtCheck(TrustedOperators trust, IAccountClaimsLookup accounts, IReadOnlySet<string>? pinnedAccounts = null, JwtVerificationWorker? worker = null)
{
    /// <summary>
    /// Runs every check; the outcome names the first that failed. With a worker, the decoding and
    /// signature checks run on its threads (one hop when the account's claims are cached, two
    /// when they must be looked up first, since a lookup may wait on the network).
    /// </summary>
    public async ValueTask<UserJwtOutcome> CheckAsync(UserJwtRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Jwt))
        {
            return UserJwtOutcome.Deny("Authentication requires a user JWT");
        }
        try
        {
            var decoded = worker is null ? DecodeAndFinishCached(request) : await worker.RunAsync(() => DecodeAndFinishCached(request), cancellationToken).ConfigureAwait(false);
            if (decoded.Outcome is { } early)
            {
                return early;
            }
            var lookup = await accounts.LookupAsync(decoded.AccountKey!, cancellationToken).ConfigureAwait(false);
            if (lookup.Claims is not { } account)
            {
                return UserJwtOutcome.Deny($"Account JWT lookup error: {lookup.Error ?? "account missing"}");
            }
            return worker is null ? Finish(request, decoded.User!, account) : await worker.RunAsync(() => Finish(request, decoded.User!, account), cancellationToken).ConfigureAwait(false);
        }
        catch (JwtVerificationQueueFullException e)
        {
            return UserJwtOutcome.Deny(e.Message);
        }
    }

    /// <summary>The decoded user and its account, or the outcome when already decided.</summary>
    private readonly record struct Decoded(UserJwtOutcome? Outcome, UserClaims? User, string? AccountKey);

    /// <summary>Decodes and validates the user JWT; when its account's claims are at hand, finishes the check too.</summary>
    private Decoded DecodeAndFinishCached(UserJwtRequest request)
    {
        UserClaims user;
        try
        {
            user = JwtCodec.DecodeUserClaims(request.Jwt!);
        }
        catch (JwtException e)
        {
            return new(UserJwtOutcome.Deny($"User JWT not valid: {e.Message}"), null, null);
        }
        if (user.Nats.ProxyRequired && !request.FromTrustedProxy)
        {
            return new(UserJwtOutcome.Deny("User JWT requires a trusted proxy"), null, null);
        }
        var vr = new ValidationResults();
        user.Validate(vr, request.Now);
        if (vr.IsBlocking(includeTimeChecks: true))
        {
            return new(UserJwtOutcome.Deny($"User JWT no longer valid: {vr}"), null, null);
        }
        var accountKey = string.IsNullOrEmpty(user.Nats.IssuerAccount) ? user.Issuer! : user.Nats.IssuerAccount;
        if (pinnedAccounts is not null && !pinnedAccounts.Contains(accountKey))
        {
            return new(UserJwtOutcome.Deny($"Account {accountKey} not listed as operator pinned account"), null, null);
        }
        return accounts.TryGetCached(accountKey, out var cached)
            ? new(Finish(request, user, cached), null, null)
            : new(null, user, accountKey);
    }

    private UserJwtOutcome Finish(UserJwtRequest request, UserClaims user, AccountClaims account)
    {
        if (!trust.IsTrustedIssuer(account.Issuer))
        {
            return UserJwtOutcome.Deny("Account JWT not signed by trusted operator");
        }
        if (!trust.UserIssuers(account).TryGetValue(user.Issuer ?? "", out var scope))
        {
            return UserJwtOutcome.Deny("User JWT issuer is not known");
        }
        if (scope is not null)
        {
            if (!user.HasEmptyPermissions)
            {
                return UserJwtOutcome.Deny("User JWT is not valid: scoped users require no permissions or limits set");
            }
            try
            {
                user.Nats.AssignLimits(PermissionTemplates.Apply(scope.Template, user, account));
            }
            catch (TemplateException e)
            {
                return UserJwtOutcome.Deny($"User JWT generated invalid permissions: {e.Message}");
            }
        }
        if (account.Expires != 0 && account.Expires <= request.Now.ToUnixTimeSeconds())
        {
            return UserJwtOutcome.Deny("Account JWT has expired");
        }
        if (user.Nats.BearerToken && account.Nats.Limits.DisallowBearer)
        {
            return UserJwtOutcome.Deny("Account does not allow bearer tokens");
        }
        var allowedTypes = AllowedConnectionTypes.Convert(user.Nats.AllowedConnectionTypes, out var unknown);
        if (unknown.Count > 0 && allowedTypes.Count == 0)
        {
            return UserJwtOutcome.Deny($"invalid connection types [{string.Join(' ', unknown.Select(u => $"\"{u}\""))}]");
        }
        if (!AllowedConnectionTypes.Allows(allowedTypes, request.ConnectionType))
        {
            return UserJwtOutcome.Deny("Connection type not allowed");
        }
        if (!user.Nats.BearerToken)
        {
            var signature = NonceSignature.Verify(user.Subject!, request.Nonce.Span, request.Signature);
            if (signature != NonceSignatureResult.Verified)
            {
                return UserJwtOutcome.Deny(signature switch
                {
                    NonceSignatureResult.SignatureMissing => "Signature missing",
                    NonceSignatureResult.SignatureNotBase64 => "Signature not valid base64",
                    NonceSignatureResult.InvalidPublicKey => "User nkey not valid: nkeys: invalid public key",
                    _ => "Signature not verified",
                });
            }
        }
        if (account.Nats.Revocations?.IsRevoked(user.Subject!, user.IssuedAt) == true)
        {
            return UserJwtOutcome.Deny("User authentication revoked");
        }
        if (!SourceAllowed(user.Nats, request.RemoteAddress))
        {
            return UserJwtOutcome.Deny($"Bad src Ip {request.RemoteAddress}");
        }
        var (inWindow, validFor) = ConnectTimes.Check(user.Nats, request.Now);
        if (!inWindow)
        {
            return UserJwtOutcome.Deny("Outside connect times");
        }
        return UserJwtOutcome.Accept(Accepted(request, user, account, allowedTypes, validFor));
    }

    /// <summary>nats-server <c>validateSrc</c>: no <c>src</c> allows all; otherwise the address must be in one of the networks.</summary>
    public static bool SourceAllowed(UserPermissionLimits limits, System.Net.IPAddress? address)
    {
        if (limits.Src is not { Count: > 0 } networks)
        {
            return true;
        }
        if (address is null)
        {
            return false;
        }
        foreach (var text in networks)
        {
            if (!Cidr.TryParse(text, out var cidr))
            {
                return false;
            }
            if (cidr.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    private static AcceptedUser Accepted(UserJwtRequest request, UserClaims user, AccountClaims account, HashSet<string> allowedTypes, TimeSpan validFor)
    {
        var permissions = JwtPermissions.Build(user.Nats.Pub, user.Nats.Sub, user.Nats.Resp);
        var usesDefaults = permissions is null;
        if (usesDefaults)
        {
            var defaults = account.Nats.DefaultPermissions;
            permissions = JwtPermissions.Build(defaults.Pub, defaults.Sub, defaults.Resp);
        }
        return new AcceptedUser
        {
            Account = account.Subject!,
            User = user.Subject!,
            Name = user.Name,
            Tags = user.Nats.Tags ?? [],
            SigningKey = string.IsNullOrEmpty(user.Nats.IssuerAccount) ? null : user.Issuer,
            Permissions = permissions,
            UsesDefaultPermissions = usesDefaults,
            MaxSubscriptions = MinLimit(Clamp(user.Nats.Subs), account.Nats.Limits.Subs),
            MaxPayload = MinLimit(Clamp(user.Nats.Payload), account.Nats.Limits.Payload),
            MaxData = user.Nats.Data,
            AllowedConnectionTypes = allowedTypes,
            Expires = Expiry(user, validFor, request.Now),
            IssuedAt = user.IssuedAt,
            Claims = user,
        };
    }

    /// <summary>nats-server <c>minLimit</c>: -1 is unlimited, otherwise the smaller wins.</summary>
    private static long MinLimit(long value, long limit)
    {
        limit = Clamp(limit);
        if (value != JwtLimits.NoLimit)
        {
            return limit != JwtLimits.NoLimit && limit < value ? limit : value;
        }
        return limit;
    }

    // nats-server keeps these limits in int32 (clampInt64ToInt32).
    private static long Clamp(long value) => Math.Clamp(value, int.MinValue, int.MaxValue);

    /// <summary>nats-server <c>setExpiration</c>: the JWT's expiry, or the end of the connect window when sooner.</summary>
    private static DateTimeOffset? Expiry(UserClaims user, TimeSpan validFor, DateTimeOffset now)
    {
        if (user.Expires == 0)
        {
            return validFor == TimeSpan.Zero ? null : now + validFor;
        }
        var left = TimeSpan.FromSeconds(Math.Max(0, user.Expires - now.ToUnixTimeSeconds()));
        return validFor != TimeSpan.Zero && validFor < left ? now + validFor : now + left;
    }
}
