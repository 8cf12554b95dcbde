using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Jwt.Claims;

/// <summary>A user JWT (jwt <c>UserClaims</c>), issued by an account or one of its signing keys.</summary>
public sealed class UserClaims : JwtClaims
{
    /// <summary><c>nats</c>: the user-specific fields.</summary>
    [JsonPropertyName("nats"), JsonPropertyOrder(9)] public UserNats Nats { get; set => field = value ?? new(); } = new();

    /// <inheritdoc />
    [JsonIgnore] public override string ClaimType => ClaimTypes.User;

    /// <inheritdoc />
    [JsonIgnore] public override int FormatVersion => Nats.Version;

    internal override NKeyPrefix[]? ExpectedIssuerPrefixes => [NKeyPrefix.Account];

    /// <summary>jwt <c>NewUserClaims</c>: unlimited subs/data/payload, no permissions.</summary>
    public static UserClaims Create(string userPublicKey)
    {
        var claims = new UserClaims { Subject = userPublicKey };
        claims.Nats.SetUnlimitedNatsLimits();
        return claims;
    }

    /// <summary>jwt <c>SetScoped(true)</c>: clears permissions and limits, as a scoped signing key requires.</summary>
    public void ClearPermissionsForScopedKey() => Nats.AssignLimits(new UserPermissionLimits());

    /// <summary>jwt <c>HasEmptyPermissions</c>.</summary>
    [JsonIgnore] public bool HasEmptyPermissions => Nats.IsZero;

    /// <inheritdoc />
    public override void Validate(ValidationResults vr, DateTimeOffset now)
    {
        ValidateTimes(vr, now);
        ModelValidation.ValidatePermissions(Nats.Pub, Nats.Sub, vr);
        ModelValidation.ValidateUserLimits(Nats, vr);
        if (!string.IsNullOrEmpty(Nats.IssuerAccount) && !NKeys.IsValidPublicAccountKey(Nats.IssuerAccount))
        {
            vr.AddError("account_id is not an account public key");
        }
    }

    internal override void PrepareForEncoding()
    {
        Nats.Type = ClaimTypes.User;
        Nats.Version = 2;
    }

    internal override string? CheckSubjectForEncoding() =>
        NKeys.IsValidPublicUserKey(Subject ?? "") ? null : "expected subject to be user public key";
}
