using System.Text;
using System.Text.Json;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Json;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Jwt;

/// <summary>
/// Encodes and decodes NATS JWTs exactly as nats-io/jwt v2: <c>b64url(header).b64url(payload).b64url(sig)</c>,
/// Ed25519 by the issuer's nkey; v2 signs <c>header.payload</c>, v1 (<c>alg: ed25519</c>) signed
/// the payload only and is decoded (and migrated to the v2 model) but never written.
/// Errors are <see cref="JwtException"/>s with jwt's messages.
/// </summary>
public static class JwtCodec
{
    /// <summary>jwt <c>MaxTokenSize</c>: 1 MiB.</summary>
    public const int MaxTokenSize = 1024 * 1024;

    private const int LibraryVersion = 2;
    private static readonly string EncodedHeader = JwtBase64.Encode(JwtJson.Serialize(new JwtHeader { Type = JwtHeader.TokenTypeJwt, Algorithm = JwtHeader.AlgorithmNkey }));

    /// <summary>jwt <c>Decode</c>: checks the header, decodes the claims by type, verifies the signature and the issuer's role.</summary>
    public static JwtClaims Decode(string token)
    {
        if (token.Length > MaxTokenSize)
        {
            throw new JwtException($"token size {token.Length} exceeds maximum of {MaxTokenSize} bytes: token too large");
        }
        var chunks = token.Split('.');
        if (chunks.Length != 3)
        {
            throw new JwtException("expected 3 chunks");
        }
        ParseHeader(chunks[0]);
        var data = DecodePart(chunks[1]);
        var (version, claims) = LoadClaims(data);
        var signature = DecodePart(chunks[2]);
        if (version <= 1)
        {
            if (!Verify(claims, Encoding.ASCII.GetBytes(chunks[1]), signature))
            {
                throw new JwtException("claim failed V1 signature verification");
            }
        }
        else if (!Verify(claims, Encoding.ASCII.GetBytes(token.AsSpan(0, chunks[0].Length + chunks[1].Length + 1).ToString()), signature))
        {
            throw new JwtException("claim failed V2 signature verification");
        }
        if (claims.ExpectedIssuerPrefixes is { } prefixes && !prefixes.Any(p => HasRole(claims.Issuer, p)))
        {
            throw new JwtException($"unable to validate expected prefixes - [{string.Join(' ', prefixes.Select(PrefixName))}]");
        }
        return claims;
    }

    /// <summary>Decodes and verifies a user JWT; throws <see cref="JwtException"/> when it is not one.</summary>
    public static UserClaims DecodeUserClaims(string token) => Decode(token) as UserClaims ?? throw new JwtException("not user claim");

    /// <summary>Decodes and verifies an account JWT; throws <see cref="JwtException"/> when it is not one.</summary>
    public static AccountClaims DecodeAccountClaims(string token) => Decode(token) as AccountClaims ?? throw new JwtException("not account claim");

    /// <summary>Decodes and verifies an operator JWT; throws <see cref="JwtException"/> when it is not one.</summary>
    public static OperatorClaims DecodeOperatorClaims(string token) => Decode(token) as OperatorClaims ?? throw new JwtException("not operator claim");

    /// <summary>Decodes and verifies an activation JWT; throws <see cref="JwtException"/> when it is not one.</summary>
    public static ActivationClaims DecodeActivationClaims(string token) => Decode(token) as ActivationClaims ?? throw new JwtException("not activation claim");

    /// <summary>Decodes and verifies an auth callout request; throws <see cref="JwtException"/> when it is not one.</summary>
    public static AuthorizationRequestClaims DecodeAuthorizationRequestClaims(string token) =>
        Decode(token) as AuthorizationRequestClaims ?? throw new JwtException("not an authorization request claim");

    // jwt's message for a wrong type here says "request" too.
    /// <summary>Decodes and verifies an auth callout response; throws <see cref="JwtException"/> when it is not one.</summary>
    public static AuthorizationResponseClaims DecodeAuthorizationResponseClaims(string token) =>
        Decode(token) as AuthorizationResponseClaims ?? throw new JwtException("not an authorization request claim");

    /// <summary>
    /// jwt <c>DecodeGeneric</c>: any JWT as standard claims plus a <c>nats</c> map; the signature is
    /// checked per the header's algorithm (v1: payload only), and the issuer's role is not.
    /// </summary>
    public static GenericClaims DecodeGeneric(string token)
    {
        var chunks = token.Split('.');
        if (chunks.Length != 3)
        {
            throw new JwtException("expected 3 chunks");
        }
        var header = ParseHeader(chunks[0]);
        var data = DecodePart(chunks[1]);
        GenericClaims claims;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(data);
            root = document.RootElement.Clone();
            claims = JwtJson.Deserialize<GenericClaims>(root);
        }
        catch (JsonException e)
        {
            throw new JwtException(e.Message, e);
        }
        var signature = DecodePart(chunks[2]);
        if (header.Algorithm == JwtHeader.AlgorithmNkeyOld)
        {
            if (!Verify(claims, Encoding.ASCII.GetBytes(chunks[1]), signature))
            {
                throw new JwtException("claim failed V1 signature verification");
            }
            // v1 kept type and tags at the top level; jwt moves them into the map.
            if (JsonProperties.TryGet(root, "type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString()!.Length > 0)
            {
                (claims.Data ??= [])["type"] = type.Clone();
            }
            if (JsonProperties.TryGet(root, "tags", out var tags) && tags.ValueKind == JsonValueKind.Array && tags.GetArrayLength() > 0)
            {
                (claims.Data ??= [])["tags"] = tags.Clone();
            }
        }
        else if (!Verify(claims, Encoding.ASCII.GetBytes(token.AsSpan(0, chunks[0].Length + chunks[1].Length + 1).ToString()), signature))
        {
            throw new JwtException("claim failed V2 signature verification");
        }
        return claims;
    }

    /// <summary>
    /// jwt <c>Encode</c>: signs <paramref name="claims"/> with <paramref name="signer"/>, setting
    /// <c>iss</c> to its public key, <c>iat</c> to <paramref name="now"/> (default: the clock) and
    /// <c>jti</c> to the hash of the standard claims. The claims object is updated like jwt's.
    /// </summary>
    public static string Encode(JwtClaims claims, NKeyPair signer, DateTimeOffset? now = null)
    {
        if (claims.CheckSubjectForEncoding() is { } subjectError)
        {
            throw new JwtException(subjectError);
        }
        if (string.IsNullOrEmpty(claims.Subject))
        {
            throw new JwtException("subject is not set");
        }
        if (claims.ExpectedIssuerPrefixes is { } prefixes && !prefixes.Any(p => HasRole(signer.PublicKey, p)))
        {
            throw new JwtException($"unable to validate expected prefixes - [{string.Join(' ', prefixes.Select(PrefixName))}]");
        }
        claims.PrepareForEncoding();
        claims.Issuer = signer.PublicKey;
        claims.IssuedAt = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        claims.Id = null;
        claims.Id = ComputeId(claims);
        var payload = JwtBase64.Encode(SerializeClaims(claims));
        var toSign = EncodedHeader + "." + payload;
        var signature = signer.Sign(Encoding.ASCII.GetBytes(toSign));
        return toSign + "." + JwtBase64.Encode(signature);
    }

    /// <summary>jwt's <c>hash</c>: base32 (no padding) of SHA-512/256 over the standard claims' JSON.</summary>
    public static string ComputeId(JwtClaims claims) =>
        JwtBase32.EncodeUnpadded(Sha512Slash256.Hash(JwtJson.Serialize(claims.Standard())));

    /// <summary>The payload JSON jwt would write for <paramref name="claims"/> (Go's field order, omitempty and escaping).</summary>
    public static byte[] SerializeClaims(JwtClaims claims) => claims switch
    {
        OperatorClaims c => JwtJson.Serialize(c),
        AccountClaims c => JwtJson.Serialize(c),
        UserClaims c => JwtJson.Serialize(c),
        ActivationClaims c => JwtJson.Serialize(c),
        AuthorizationRequestClaims c => JwtJson.Serialize(c),
        AuthorizationResponseClaims c => JwtJson.Serialize(c),
        GenericClaims c => JwtJson.Serialize(c),
        _ => throw new JwtException($"unsupported claims type {claims.GetType().Name}"),
    };

    private static JwtHeader ParseHeader(string chunk)
    {
        var bytes = DecodePart(chunk);
        JwtHeader header;
        try
        {
            header = JwtJson.Deserialize<JwtHeader>(bytes);
        }
        catch (JsonException e)
        {
            throw new JwtException(e.Message, e);
        }
        if (header.ValidationError() is { } error)
        {
            throw new JwtException(error);
        }
        return header;
    }

    private static byte[] DecodePart(string chunk) =>
        JwtBase64.TryDecode(chunk, out var bytes, out var error) ? bytes : throw new JwtException(error!);

    /// <summary>jwt <c>loadClaims</c>: the type and version pick the claims class; v1 tokens are migrated.</summary>
    private static (int Version, JwtClaims Claims) LoadClaims(byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JwtException($"json: cannot unmarshal {root.ValueKind.ToString().ToLowerInvariant()} into Go value of type jwt.identifier");
            }
            var topType = JsonProperties.GetString(root, "type");
            JsonProperties.TryGet(root, "nats", out var nats);
            var natsType = JsonProperties.GetString(nats, "type");
            var natsVersion = JsonProperties.TryGet(nats, "version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : 0;
            var isV1 = !string.IsNullOrEmpty(topType);
            var kind = isV1 ? topType : natsType;
            var version = isV1 ? 1 : natsVersion;
            if (version > LibraryVersion)
            {
                throw new JwtException("JWT was generated by a newer version ");
            }
            JwtClaims claims = kind switch
            {
                ClaimTypes.Operator => version == 1 ? V1Migration.Operator(root) : LoadV2<OperatorClaims>(root, version),
                ClaimTypes.Account => version == 1 ? V1Migration.Account(root) : LoadAccountV2(root, version),
                ClaimTypes.User => version == 1 ? V1Migration.User(root) : LoadV2<UserClaims>(root, version),
                ClaimTypes.Activation => version == 1 ? V1Migration.Activation(root) : LoadV2<ActivationClaims>(root, version),
                ClaimTypes.AuthorizationRequest => JwtJson.Deserialize<AuthorizationRequestClaims>(root),
                ClaimTypes.AuthorizationResponse => JwtJson.Deserialize<AuthorizationResponseClaims>(root),
                "cluster" => throw new JwtException("ClusterClaims are not supported"),
                "server" => throw new JwtException("ServerClaims are not supported"),
                _ => JwtJson.Deserialize<GenericClaims>(root),
            };
            return (claims is GenericClaims ? -1 : version, claims);
        }
        catch (JsonException e)
        {
            throw new JwtException(e.Message, e);
        }
    }

    private static T LoadV2<T>(JsonElement root, int version) where T : JwtClaims =>
        version == 2
            ? JwtJson.Deserialize<T>(root)
            : throw new JwtException($"library supports version {LibraryVersion} or less - received {version}");

    private static AccountClaims LoadAccountV2(JsonElement root, int version)
    {
        var claims = LoadV2<AccountClaims>(root, version);
        claims.Nats.SigningKeys ??= [];
        if (claims.Nats.Limits.TieredLimits is { Count: > 0 })
        {
            claims.Nats.Limits.ClearJetStream();
        }
        return claims;
    }

    private static bool Verify(JwtClaims claims, byte[] signed, byte[] signature) =>
        claims.Issuer is { } issuer && NKeys.Verify(issuer, signed, signature);

    private static bool HasRole(string? key, NKeyPrefix prefix) => key is not null && prefix switch
    {
        NKeyPrefix.Account => NKeys.IsValidPublicAccountKey(key),
        NKeyPrefix.Operator => NKeys.IsValidPublicOperatorKey(key),
        NKeyPrefix.Server => NKeys.IsValidPublicServerKey(key),
        NKeyPrefix.Cluster => NKeys.IsValidPublicClusterKey(key),
        NKeyPrefix.User => NKeys.IsValidPublicUserKey(key),
        _ => false,
    };

    private static string PrefixName(NKeyPrefix prefix) => prefix switch
    {
        NKeyPrefix.Operator => "operator",
        NKeyPrefix.Server => "server",
        NKeyPrefix.Cluster => "cluster",
        NKeyPrefix.Account => "account",
        NKeyPrefix.User => "user",
        NKeyPrefix.Seed => "seed",
        NKeyPrefix.Private => "private",
        NKeyPrefix.Curve => "x25519",
        _ => "unknown",
    };
}
