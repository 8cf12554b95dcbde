using System.Collections.Concurrent;

namespace Nats.AuthJwt.Resolvers;

/// <summary><c>resolver: MEMORY</c> (nats-server's <c>MemAccResolver</c>): a map seeded from <c>resolver_preload</c>; thread-safe.</summary>
public sealed class MemoryAccountResolver : IAccountJwtSource
{
    private readonly ConcurrentDictionary<string, string> _jwts = new(StringComparer.Ordinal);

    /// <summary>A resolver holding <paramref name="preload"/> (account key, JWT) and what is stored later.</summary>
    public MemoryAccountResolver(IEnumerable<KeyValuePair<string, string>>? preload = null)
    {
        foreach (var (key, jwt) in preload ?? [])
        {
            _jwts[key] = jwt;
        }
    }

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <summary>The accounts held.</summary>
    public IReadOnlyCollection<string> Accounts => [.. _jwts.Keys];

    /// <inheritdoc />
    public ValueTask<string> FetchAsync(string accountPublicKey, CancellationToken cancellationToken) =>
        _jwts.TryGetValue(accountPublicKey, out var jwt)
            ? ValueTask.FromResult(jwt)
            : ValueTask.FromException<string>(new AccountResolverException(AccountResolverException.AccountMissing));

    /// <inheritdoc />
    public ValueTask StoreAsync(string accountPublicKey, string jwt, CancellationToken cancellationToken)
    {
        _jwts[accountPublicKey] = jwt;
        return ValueTask.CompletedTask;
    }
}
