namespace Nats.AuthJwt.Resolvers;

/// <summary>
/// Where account JWTs come from (nats-server's <c>AccountResolver</c>, storage side). The plugin's
/// <see cref="Accounts.JwtAccountResolver"/> puts a source behind the kernel's account resolver hook.
/// </summary>
public interface IAccountJwtSource
{
    /// <summary>The account's JWT; <see cref="AccountResolverException"/> when it cannot be had.</summary>
    ValueTask<string> FetchAsync(string accountPublicKey, CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="jwt"/> for the account; read-only resolvers refuse.</summary>
    ValueTask StoreAsync(string accountPublicKey, string jwt, CancellationToken cancellationToken);

    /// <summary>True when <see cref="StoreAsync"/> is refused (nats-server's <c>IsReadOnly</c>).</summary>
    bool IsReadOnly { get; }
}

/// <summary>A fetch or store that failed; the message is nats-server's.</summary>
public sealed class AccountResolverException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>nats-server's <c>ErrMissingAccount</c>.</summary>
    public const string AccountMissing = "account missing";
}
