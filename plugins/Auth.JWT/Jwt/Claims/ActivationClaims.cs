using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Jwt.Claims;

/// <summary>An activation JWT (jwt <c>ActivationClaims</c>): the exporter lets the subject account import a private export.</summary>
public sealed class ActivationClaims : JwtClaims
{
    /// <summary><c>nats</c>: the activation-specific fields.</summary>
    [JsonPropertyName("nats"), JsonPropertyOrder(9)] public ActivationNats Nats { get; set => field = value ?? new(); } = new();

    /// <inheritdoc />
    [JsonIgnore] public override string ClaimType => ClaimTypes.Activation;

    /// <inheritdoc />
    [JsonIgnore] public override int FormatVersion => Nats.Version;

    internal override NKeyPrefix[]? ExpectedIssuerPrefixes => [NKeyPrefix.Account, NKeyPrefix.Operator];

    /// <inheritdoc />
    public override void Validate(ValidationResults vr, DateTimeOffset now)
    {
        ValidateTimes(vr, now);
        ValidateWithoutTimes(vr);
    }

    /// <summary>jwt <c>validateWithTimeChecks(vr, false)</c>, used when an import embeds the token.</summary>
    public void ValidateWithoutTimes(ValidationResults vr)
    {
        if (Nats.ImportType is not (ExportType.Service or ExportType.Stream))
        {
            vr.AddError($"invalid import type: \"{Nats.ImportType.Name()}\"");
        }
        JwtSubjects.Validate(Nats.ImportSubject, vr);
        if (!string.IsNullOrEmpty(Nats.IssuerAccount) && !NKeys.IsValidPublicAccountKey(Nats.IssuerAccount))
        {
            vr.AddError("account_id is not an account public key");
        }
    }

    /// <summary>
    /// jwt <c>HashID</c>: base32 (padded) of SHA-256 over <c>issuer.subject.subject-prefix</c>, the
    /// name activations are stored under.
    /// </summary>
    public string HashId()
    {
        if (string.IsNullOrEmpty(Issuer) || string.IsNullOrEmpty(Subject) || string.IsNullOrEmpty(Nats.ImportSubject))
        {
            throw new JwtException("not enough data in the activaion claims to create a hash");
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Issuer}.{Subject}.{CleanSubject(Nats.ImportSubject)}"));
        return JwtBase32.EncodePadded(hash);
    }

    private static string CleanSubject(string subject)
    {
        var tokens = subject.Split('.');
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] is "*" or ">")
            {
                return i == 0 ? "_" : string.Join('.', tokens[..i]);
            }
        }
        return subject;
    }

    internal override void PrepareForEncoding()
    {
        Nats.Type = ClaimTypes.Activation;
        Nats.Version = 2;
    }

    internal override string? CheckSubjectForEncoding() =>
        NKeys.IsValidPublicAccountKey(Subject ?? "") ? null : "expected subject to be an account";
}
