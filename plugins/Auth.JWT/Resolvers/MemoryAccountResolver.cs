using System.Collections.Concurrent;

namespace Nats.AuthJwt.Resolvers;

/// <summary><c>resolver: MEMORY</c> (nats-server's <c>MemAccResolver</c>): a map seeded from <c>resolver_preload</c>; thread-safe.</summary>
public sealed class MemoryAccountResolver : IAccountJwtSource
{
    private readonly ConcurrentDictionary<string, string> _jwts = new(StringComparer.Ordinal);

    public MemoryAccountResolver(IEnumerable<KeyValuePair<string, string>>? preload = null)
    {
        foreach (var (key, jwt) in preload ?? [])
        {
            _jwts[key] = jwt;
        }
    }

    public bool IsReadOnly => false;

    /// <summary>The accounts held.</summary>
    public IReadOnlyCollection<string> Accounts => [.. _jwts.Keys];

    public ValueTask<string> FetchAsync(string accountPublicKey, CancellationToken cancellationToken) =>
        _jwts.TryGetValue(accountPublicKey, out var jwt)
            ? ValueTask.FromResult(jwt)
            : ValueTask.FromException<string>(new AccountResolverException(AccountResolverException.AccountMissing));

    public ValueTask StoreAsync(string accountPublicKey, string jwt, CancellationToken cancellationToken)
    {
        _jwts[accountPublicKey] = jwt;
        return ValueTask.CompletedTask;
    }
}
