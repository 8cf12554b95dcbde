using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;
using Nats.Core.Security;

namespace Nats.AuthJwt.Jwt.Claims;

/// <summary>The claim types jwt knows (its <c>ClaimType</c> constants).</summary>
public static class ClaimTypes
{
    /// <summary>An operator JWT.</summary>
    public const string Operator = "operator";

    /// <summary>An account JWT.</summary>
    public const string Account = "account";

    /// <summary>A user JWT.</summary>
    public const string User = "user";

    /// <summary>An activation JWT (an account's grant to import a private export).</summary>
    public const string Activation = "activation";

    /// <summary>An auth callout request.</summary>
    public const string AuthorizationRequest = "authorization_request";

    /// <summary>An auth callout response.</summary>
    public const string AuthorizationResponse = "authorization_response";

    /// <summary>Any other kind, kept as a map.</summary>
    public const string Generic = "generic";
}

/// <summary>
/// The standard claims every NATS JWT carries (jwt <c>ClaimsData</c>), in Go's field order, and
/// what each claim type adds: its <c>nats</c> object, who may issue it, its validation.
/// Mutable like jwt's structs: set the fields, then <see cref="JwtCodec.Encode"/> fills
/// <c>iss</c>, <c>iat</c> and <c>jti</c>.
/// </summary>
public abstract class JwtClaims
{
    /// <summary><c>aud</c>: who the token is for.</summary>
    [JsonPropertyName("aud"), JsonPropertyOrder(1), OmitEmpty] public string? Audience { get; set; }

    /// <summary>Unix seconds; 0 for never.</summary>
    [JsonPropertyName("exp"), JsonPropertyOrder(2), OmitEmpty] public long Expires { get; set; }

    /// <summary><c>jti</c>: the token's id, the hash of its claims.</summary>
    [JsonPropertyName("jti"), JsonPropertyOrder(3), OmitEmpty] public string? Id { get; set; }

    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("iat"), JsonPropertyOrder(4), OmitEmpty] public long IssuedAt { get; set; }

    /// <summary>The public key that signed the JWT.</summary>
    [JsonPropertyName("iss"), JsonPropertyOrder(5), OmitEmpty] public string? Issuer { get; set; }

    /// <summary><c>name</c>: a human-readable name.</summary>
    [JsonPropertyName("name"), JsonPropertyOrder(6), OmitEmpty] public string? Name { get; set; }

    /// <summary>Unix seconds; 0 for no lower bound.</summary>
    [JsonPropertyName("nbf"), JsonPropertyOrder(7), OmitEmpty] public long NotBefore { get; set; }

    /// <summary>The public key the claim is about.</summary>
    [JsonPropertyName("sub"), JsonPropertyOrder(8), OmitEmpty] public string? Subject { get; set; }

    /// <summary>The claim type (<see cref="ClaimTypes"/>).</summary>
    [JsonIgnore] public abstract string ClaimType { get; }

    /// <summary>The version of the JWT format it was decoded from (1 or 2; 0 for generic claims), or will be encoded in.</summary>
    [JsonIgnore] public virtual int FormatVersion => 2;

    /// <summary>Key roles allowed to sign this claim type; null allows any (jwt <c>ExpectedPrefixes</c>).</summary>
    [JsonIgnore] internal abstract NKeyPrefix[]? ExpectedIssuerPrefixes { get; }

    /// <summary>True when the issuer is the subject.</summary>
    [JsonIgnore] public bool IsSelfSigned => Issuer == Subject;

    /// <summary>Checks the claim as jwt's <c>Validate</c> does, times against <paramref name="now"/>.</summary>
    public virtual void Validate(ValidationResults vr, DateTimeOffset now) => ValidateTimes(vr, now);

    /// <summary>jwt <c>ClaimsData.Validate</c>: expiry and not-before, as time findings.</summary>
    protected void ValidateTimes(ValidationResults vr, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        if (Expires > 0 && seconds > Expires)
        {
            vr.AddTimeCheck("claim is expired");
        }
        if (NotBefore > 0 && NotBefore > seconds)
        {
            vr.AddTimeCheck("claim is not yet valid");
        }
    }

    /// <summary>Called by the encoder before hashing: sets type and version, sorts what jwt sorts.</summary>
    internal abstract void PrepareForEncoding();

    /// <summary>Checks the subject before encoding; returns jwt's error or null.</summary>
    internal abstract string? CheckSubjectForEncoding();

    /// <summary>The standard claims alone, what <c>jti</c> hashes.</summary>
    internal StandardClaims Standard() => new()
    {
        Audience = Audience, Expires = Expires, Id = Id, IssuedAt = IssuedAt, Issuer = Issuer,
        Name = Name, NotBefore = NotBefore, Subject = Subject,
    };
}

/// <summary>jwt's <c>ClaimsData</c> on its own, serialized to compute <c>jti</c>.</summary>
internal sealed class StandardClaims
{
    [JsonPropertyName("aud"), OmitEmpty] public string? Audience { get; set; }

    [JsonPropertyName("exp"), OmitEmpty] public long Expires { get; set; }

    [JsonPropertyName("jti"), OmitEmpty] public string? Id { get; set; }

    [JsonPropertyName("iat"), OmitEmpty] public long IssuedAt { get; set; }

    [JsonPropertyName("iss"), OmitEmpty] public string? Issuer { get; set; }

    [JsonPropertyName("name"), OmitEmpty] public string? Name { get; set; }

    [JsonPropertyName("nbf"), OmitEmpty] public long NotBefore { get; set; }

    [JsonPropertyName("sub"), OmitEmpty] public string? Subject { get; set; }
}
