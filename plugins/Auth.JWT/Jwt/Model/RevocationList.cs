namespace Nats.AuthJwt.Jwt.Model;

/// <summary>
/// Public key (or <c>"*"</c> for all) → unix seconds: JWTs for that key issued at or before the
/// time are revoked (jwt <c>RevocationList</c>). Sorted by key, as Go writes maps.
/// </summary>
public sealed class RevocationList() : SortedDictionary<string, long>(StringComparer.Ordinal)
{
    /// <summary>jwt <c>IsRevoked</c>: revoked for everyone or for this key at or after <paramref name="issuedAt"/>.</summary>
    public bool IsRevoked(string publicKey, long issuedAt) =>
        (TryGetValue(JwtLimits.All, out var all) && all >= issuedAt)
        || (TryGetValue(publicKey, out var at) && at >= issuedAt);

    /// <summary>jwt <c>Revoke</c>: records a revocation; an existing later one is kept (revocations only move back in time).</summary>
    public void Revoke(string publicKey, DateTimeOffset at)
    {
        var seconds = at.ToUnixTimeSeconds();
        if (TryGetValue(publicKey, out var existing) && existing > seconds)
        {
            return;
        }
        this[publicKey] = seconds;
    }
}
