using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Jwt.Claims;

/// <summary>An account JWT (jwt <c>AccountClaims</c>), issued by an operator (or self-signed).</summary>
public sealed class AccountClaims : JwtClaims
{
    /// <summary><c>nats</c>: the account-specific fields.</summary>
    [JsonPropertyName("nats"), JsonPropertyOrder(9)] public AccountNats Nats { get; set => field = value ?? new(); } = new();

    /// <inheritdoc />
    [JsonIgnore] public override string ClaimType => ClaimTypes.Account;

    /// <inheritdoc />
    [JsonIgnore] public override int FormatVersion => Nats.Version;

    internal override NKeyPrefix[]? ExpectedIssuerPrefixes => [NKeyPrefix.Account, NKeyPrefix.Operator];

    /// <summary>jwt <c>NewAccountClaims</c>: unlimited limits, JetStream off, no mappings.</summary>
    public static AccountClaims Create(string accountPublicKey) => new()
    {
        Subject = accountPublicKey,
        Nats = new AccountNats { Limits = OperatorLimits.Unlimited(), SigningKeys = [], Mappings = [] },
    };

    /// <summary>jwt <c>DidSign</c>: the account itself, or one of its signing keys for a user/activation naming it as issuer account.</summary>
    public bool DidSign(JwtClaims claims)
    {
        if (claims.Issuer == Subject)
        {
            return true;
        }
        var issuerAccount = claims switch
        {
            UserClaims user => user.Nats.IssuerAccount,
            ActivationClaims activation => activation.Nats.IssuerAccount,
            _ => null,
        };
        return issuerAccount == Subject && Nats.SigningKeys?.ContainsKey(claims.Issuer ?? "") == true;
    }

    /// <summary>jwt <c>IsClaimRevoked</c>: invalid claims (no subject or issue time) count as revoked.</summary>
    public bool IsClaimRevoked(UserClaims? user) =>
        user is null || user.IssuedAt == 0 || string.IsNullOrEmpty(user.Subject)
        || (Nats.Revocations?.IsRevoked(user.Subject, user.IssuedAt) ?? false);

    /// <inheritdoc />
    public override void Validate(ValidationResults vr, DateTimeOffset now)
    {
        ValidateTimes(vr, now);
        var a = Nats;
        ModelValidation.ValidateImports(a.Imports, Subject ?? "", vr);
        ModelValidation.ValidateExports(a.Exports, vr);
        if (a.Limits.TieredLimits is { Count: > 0 } tiers)
        {
            if (!a.Limits.JetStream.IsZero)
            {
                vr.AddError("JetStream Limits and tiered JetStream Limits are mutually exclusive");
            }
            if (tiers.ContainsKey(""))
            {
                vr.AddError("Tiered JetStream Limits can not contain a blank \"\" tier name");
            }
        }
        ModelValidation.ValidatePermissions(a.DefaultPermissions.Pub, a.DefaultPermissions.Sub, vr);
        ModelValidation.ValidateMappings(a.Mappings, vr);
        ModelValidation.ValidateExternalAuthorization(a.Authorization, vr);
        if (a.Trace is { } trace)
        {
            var traceResults = new ValidationResults();
            JwtSubjects.Validate(trace.Destination, traceResults);
            if (!traceResults.IsEmpty)
            {
                vr.AddError($"the account Trace.Destination {traceResults.Issues[0].Description}");
            }
            if (JwtSubjects.HasWildCards(trace.Destination))
            {
                vr.AddError($"the account Trace.Destination subject \"{trace.Destination}\" is not a valid publish subject");
            }
            if (trace.Sampling is < 0 or > 100)
            {
                vr.AddError($"the account Trace.Sampling value '{trace.Sampling}' is not valid, should be in the range [1..100]");
            }
            else if (trace.Sampling == 0)
            {
                trace.Sampling = 100;
            }
        }
        var imports = a.Imports?.Count ?? 0;
        var exports = a.Exports?.Count ?? 0;
        // jwt checks the import limit twice; the duplicate finding is kept for identical output.
        if (!a.Limits.IsEmpty && a.Limits.Imports >= 0 && imports > a.Limits.Imports)
        {
            vr.AddError("the account contains more imports than allowed by the operator");
        }
        if (a.Limits.Imports != JwtLimits.NoLimit && imports > a.Limits.Imports)
        {
            vr.AddError("the account contains more imports than allowed by the operator");
        }
        if (a.Limits.Exports != JwtLimits.NoLimit)
        {
            if (exports > a.Limits.Exports)
            {
                vr.AddError("the account contains more exports than allowed by the operator");
            }
            if (!a.Limits.WildcardExports)
            {
                foreach (var export in a.Exports ?? [])
                {
                    if (JwtSubjects.HasWildCards(export.Subject))
                    {
                        vr.AddError("the account contains wildcard exports that are not allowed by the operator");
                    }
                }
            }
        }
        ModelValidation.ValidateSigningKeys(a.SigningKeys, vr);
        ModelValidation.ValidateInfo(a.Description, a.InfoUrl, vr);
        if (a.ClusterTraffic is not (null or "" or "system" or "owner"))
        {
            vr.AddError($"unknown cluster traffic option: \"{a.ClusterTraffic}\"");
        }
        if (NKeys.IsValidPublicAccountKey(Issuer ?? "") && !a.Limits.IsEmpty)
        {
            vr.AddWarning("self-signed account JWTs shouldn't contain operator limits");
        }
    }

    internal override void PrepareForEncoding()
    {
        // jwt sorts both lists by subject before encoding.
        Nats.Exports?.Sort((x, y) => string.CompareOrdinal(x.Subject, y.Subject));
        Nats.Imports?.Sort((x, y) => string.CompareOrdinal(x.Subject, y.Subject));
        Nats.Type = ClaimTypes.Account;
        Nats.Version = 2;
    }

    internal override string? CheckSubjectForEncoding() =>
        NKeys.IsValidPublicAccountKey(Subject ?? "") ? null : "expected subject to be account public key";
}
