using System.Text.Json.Serialization;

namespace Nats.AuthJwt.Jwt;

/// <summary>The JOSE header of a NATS JWT (jwt <c>Header</c>).</summary>
public sealed class JwtHeader
{
    /// <summary>The token type every NATS JWT has.</summary>
    public const string TokenTypeJwt = "JWT";

    /// <summary>jwt v1's algorithm name: accepted on decode, never written.</summary>
    public const string AlgorithmNkeyOld = "ed25519";

    /// <summary>jwt v2's algorithm name (the signature covers header and payload).</summary>
    public const string AlgorithmNkey = "ed25519-nkey";

    /// <summary><c>typ</c>: always <see cref="TokenTypeJwt"/>.</summary>
    [JsonPropertyName("typ")] public string Type { get; set; } = "";

    /// <summary><c>alg</c>: <see cref="AlgorithmNkey"/> (or v1's <see cref="AlgorithmNkeyOld"/>).</summary>
    [JsonPropertyName("alg")] public string Algorithm { get; set; } = "";

    /// <summary>jwt <c>Header.Valid</c>: type JWT (any case), algorithm ed25519 or ed25519-nkey (any case); null when valid.</summary>
    public string? ValidationError()
    {
        if (!string.Equals(Type.ToUpperInvariant(), TokenTypeJwt, StringComparison.Ordinal))
        {
            return $"not supported type \"{Type}\"";
        }
        var alg = Algorithm.ToLowerInvariant();
        if (!alg.StartsWith(AlgorithmNkeyOld, StringComparison.Ordinal) || (alg != AlgorithmNkeyOld && alg != AlgorithmNkey))
        {
            return $"unexpected \"{Algorithm}\" algorithm";
        }
        return null;
    }
}
