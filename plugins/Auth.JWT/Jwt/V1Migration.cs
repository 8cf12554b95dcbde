using System.Text.Json;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Json;
using Nats.AuthJwt.Jwt.Model;

namespace Nats.AuthJwt.Jwt;

/// <summary>
/// jwt's <c>migrateV1</c> functions: a v1 token keeps <c>type</c>, <c>tags</c> and
/// <c>issuer_account</c> at the top level and only the older fields under <c>nats</c>; the
/// result is the v2 model with version 1. Fields v1 did not have are left at their zero value.
/// </summary>
internal static class V1Migration
{
    public static UserClaims User(JsonElement root)
    {
        var claims = WithStandard<UserClaims>(root);
        var nats = Nats(root);
        claims.Nats = nats.ValueKind == JsonValueKind.Object ? JwtJson.Deserialize<UserNats>(nats) : new UserNats();
        // v1 users start unlimited: limits the token leaves out stay -1.
        if (!JsonProperties.TryGet(nats, "subs", out _))
        {
            claims.Nats.Subs = JwtLimits.NoLimit;
        }
        if (!JsonProperties.TryGet(nats, "data", out _))
        {
            claims.Nats.Data = JwtLimits.NoLimit;
        }
        if (!JsonProperties.TryGet(nats, "payload", out _))
        {
            claims.Nats.Payload = JwtLimits.NoLimit;
        }
        claims.Nats.ProxyRequired = false;
        claims.Nats.AllowedConnectionTypes = null;
        claims.Nats.IssuerAccount = JsonProperties.GetString(root, "issuer_account");
        MoveGenericFields(root, claims.Nats);
        return claims;
    }

    public static AccountClaims Account(JsonElement root)
    {
        var claims = WithStandard<AccountClaims>(root);
        var nats = Nats(root);
        var parsed = nats.ValueKind == JsonValueKind.Object ? JwtJson.Deserialize<AccountNats>(nats) : new AccountNats();
        var limits = parsed.Limits;
        limits.ClearJetStream();
        limits.TieredLimits = null;
        claims.Nats = new AccountNats
        {
            Imports = parsed.Imports,
            Exports = parsed.Exports,
            Limits = limits,
            SigningKeys = parsed.SigningKeys ?? [],
            Revocations = parsed.Revocations,
        };
        MoveGenericFields(root, claims.Nats);
        return claims;
    }

    public static OperatorClaims Operator(JsonElement root)
    {
        var claims = WithStandard<OperatorClaims>(root);
        var nats = Nats(root);
        var parsed = nats.ValueKind == JsonValueKind.Object ? JwtJson.Deserialize<OperatorNats>(nats) : new OperatorNats();
        claims.Nats = new OperatorNats
        {
            SigningKeys = parsed.SigningKeys,
            AccountServerUrl = parsed.AccountServerUrl,
            OperatorServiceUrls = parsed.OperatorServiceUrls,
            SystemAccount = parsed.SystemAccount,
        };
        MoveGenericFields(root, claims.Nats);
        return claims;
    }

    public static ActivationClaims Activation(JsonElement root)
    {
        var claims = WithStandard<ActivationClaims>(root);
        var nats = Nats(root);
        var type = ExportType.Unknown;
        if (JsonProperties.TryGet(nats, "type", out var t))
        {
            type = t.ValueKind == JsonValueKind.String ? t.GetString() switch
            {
                "stream" => ExportType.Stream,
                "service" => ExportType.Service,
                var other => throw new JsonException($"unknown export type \"{other}\""),
            } : throw new JsonException("json: cannot unmarshal into export type");
        }
        claims.Nats = new ActivationNats
        {
            ImportSubject = JsonProperties.GetString(nats, "subject"),
            ImportType = type,
            IssuerAccount = JsonProperties.GetString(root, "issuer_account"),
        };
        MoveGenericFields(root, claims.Nats);
        return claims;
    }

    private static JsonElement Nats(JsonElement root) => JsonProperties.TryGet(root, "nats", out var nats) ? nats : default;

    private static T WithStandard<T>(JsonElement root) where T : JwtClaims, new()
    {
        var standard = JwtJson.Deserialize<StandardClaims>(root);
        return new T
        {
            Audience = standard.Audience, Expires = standard.Expires, Id = standard.Id, IssuedAt = standard.IssuedAt,
            Issuer = standard.Issuer, Name = standard.Name, NotBefore = standard.NotBefore, Subject = standard.Subject,
        };
    }

    private static void MoveGenericFields(JsonElement root, INatsFields fields)
    {
        fields.Type = JsonProperties.GetString(root, "type");
        fields.Tags = JsonProperties.TryGet(root, "tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? tags.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : null;
        fields.Version = 1;
    }
}
