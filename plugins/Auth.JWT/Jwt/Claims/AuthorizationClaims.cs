using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Jwt.Claims;

/// <summary>The request a server sends to an auth callout (jwt <c>AuthorizationRequestClaims</c>), signed by the server's key.</summary>
public sealed class AuthorizationRequestClaims : JwtClaims
{
    /// <summary><c>nats</c>: the request's fields.</summary>
    [JsonPropertyName("nats"), JsonPropertyOrder(9)] public AuthorizationRequestNats Nats { get; set => field = value ?? new(); } = new();

    /// <inheritdoc />
    [JsonIgnore] public override string ClaimType => ClaimTypes.AuthorizationRequest;

    /// <inheritdoc />
    [JsonIgnore] public override int FormatVersion => Nats.Version;

    internal override NKeyPrefix[]? ExpectedIssuerPrefixes => [NKeyPrefix.Server];

    /// <inheritdoc />
    public override void Validate(ValidationResults vr, DateTimeOffset now)
    {
        if (Nats.UserNKey.Length == 0)
        {
            vr.AddError("User nkey is required");
        }
        else if (!NKeys.IsValidPublicUserKey(Nats.UserNKey))
        {
            vr.AddError($"User nkey \"{Nats.UserNKey}\" is not a valid user public key");
        }
        ValidateTimes(vr, now);
    }

    internal override void PrepareForEncoding()
    {
        Nats.Type = ClaimTypes.AuthorizationRequest;
        Nats.Version = 2;
    }

    internal override string? CheckSubjectForEncoding() => null;
}

/// <summary>An auth callout's answer (jwt <c>AuthorizationResponseClaims</c>): a user JWT or an error, signed by an account key.</summary>
public sealed class AuthorizationResponseClaims : JwtClaims
{
    /// <summary><c>nats</c>: the response's fields.</summary>
    [JsonPropertyName("nats"), JsonPropertyOrder(9)] public AuthorizationResponseNats Nats { get; set => field = value ?? new(); } = new();

    /// <inheritdoc />
    [JsonIgnore] public override string ClaimType => ClaimTypes.AuthorizationResponse;

    /// <inheritdoc />
    [JsonIgnore] public override int FormatVersion => Nats.Version;

    internal override NKeyPrefix[]? ExpectedIssuerPrefixes => [NKeyPrefix.Account];

    /// <inheritdoc />
    public override void Validate(ValidationResults vr, DateTimeOffset now)
    {
        if (!NKeys.IsValidPublicUserKey(Subject ?? ""))
        {
            vr.AddError("Subject must be a user public key");
        }
        if (!NKeys.IsValidPublicServerKey(Audience ?? ""))
        {
            vr.AddError("Audience must be a server public key");
        }
        var hasError = !string.IsNullOrEmpty(Nats.Error);
        var hasJwt = !string.IsNullOrEmpty(Nats.Jwt);
        if (!hasError && !hasJwt)
        {
            vr.AddError("Error or Jwt is required");
        }
        if (hasError && hasJwt)
        {
            vr.AddError("Only Error or Jwt can be set");
        }
        if (!string.IsNullOrEmpty(Nats.IssuerAccount) && !NKeys.IsValidPublicAccountKey(Nats.IssuerAccount))
        {
            vr.AddError("issuer_account is not an account public key");
        }
        ValidateTimes(vr, now);
    }

    internal override void PrepareForEncoding()
    {
        Nats.Type = ClaimTypes.AuthorizationResponse;
        Nats.Version = 2;
    }

    internal override string? CheckSubjectForEncoding() => null;
}

/// <summary>
/// Any other JWT, its <c>nats</c> object kept as a map (jwt <c>GenericClaims</c>): used for
/// stores and for <c>$SYS.REQ.CLAIMS.DELETE</c> requests.
/// </summary>
public sealed class GenericClaims : JwtClaims
{
    /// <summary><c>nats</c>: the kind-specific fields, as a map.</summary>
    [JsonPropertyName("nats"), JsonPropertyOrder(9), Json.OmitEmpty] public GenericData? Data { get; set; }

    /// <summary>jwt <c>ClaimType</c>: <c>nats.type</c> (or a top-level <c>type</c>), <c>generic</c> for unknown kinds.</summary>
    [JsonIgnore]
    public override string ClaimType
    {
        get
        {
            var type = Data is not null && Data.TryGetValue("type", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String
                ? t.GetString()
                : null;
            return type switch
            {
                null => "",
                ClaimTypes.Operator or ClaimTypes.Account or ClaimTypes.User or ClaimTypes.Activation
                    or ClaimTypes.AuthorizationRequest or ClaimTypes.AuthorizationResponse => type,
                _ => ClaimTypes.Generic,
            };
        }
    }

    /// <inheritdoc />
    [JsonIgnore] public override int FormatVersion => 0;

    internal override NKeyPrefix[]? ExpectedIssuerPrefixes => null;

    internal override void PrepareForEncoding()
    {
        if (Data is not null)
        {
            // jwt stores the version as a float64, as JSON decoding would.
            Data["version"] = System.Text.Json.JsonSerializer.SerializeToElement(2, Json.JwtJson.Options.GetTypeInfo(typeof(int)));
        }
    }

    internal override string? CheckSubjectForEncoding() => null;
}
