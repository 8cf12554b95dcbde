using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;

namespace Nats.AuthJwt.Auth;

/// <summary>
/// nats-server's <c>verifyAccountClaims</c>/<c>fetchAccountClaims</c>: an account JWT from a
/// resolver is usable when it decodes, a trusted operator key signed it, it validates with time
/// checks, and its subject is the account asked for.
/// </summary>
public static class AccountClaimsVerifier
{
    /// <summary>nats-server's <c>ErrAccountValidation</c>.</summary>
    public const string AccountValidationFailed = "account validation failed";

    /// <summary>The verified claims, or null with the reason in <paramref name="error"/>.</summary>
    public static AccountClaims? Verify(string accountJwt, string? expectedAccount, TrustedOperators trust, DateTimeOffset now, out string? error)
    {
        AccountClaims claims;
        try
        {
            claims = JwtCodec.DecodeAccountClaims(accountJwt);
        }
        catch (JwtException e)
        {
            error = e.Message;
            return null;
        }
        if (!trust.IsTrustedIssuer(claims.Issuer))
        {
            error = AccountValidationFailed;
            return null;
        }
        var vr = new ValidationResults();
        claims.Validate(vr, now);
        if (vr.IsBlocking(includeTimeChecks: true) || (expectedAccount is not null && claims.Subject != expectedAccount))
        {
            error = AccountValidationFailed;
            return null;
        }
        error = null;
        return claims;
    }
}
