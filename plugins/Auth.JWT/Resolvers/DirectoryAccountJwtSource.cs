using Nats.AuthJwt.Config;

namespace Nats.AuthJwt.Resolvers;

/// <summary>
/// <c>resolver { type: full | cache, dir }</c> as a JWT source (nats-server's <c>DirAccResolver</c>
/// and <c>CacheDirAccResolver</c>, storage side): fetches read <c>&lt;dir&gt;/&lt;key&gt;.jwt</c>,
/// stores keep a JWT only when it is newer than the stored one (<c>saveIfNewer</c>).
/// File I/O runs on the caller's thread, which is never an I/O thread (resolutions and
/// <c>$SYS</c> handlers run on the thread pool).
/// </summary>
public sealed class DirectoryAccountJwtSource(DirectoryJwtStore store, DirectoryResolverOptions options) : IAccountJwtSource
{
    /// <summary>The store behind it (for the <c>$SYS.REQ.CLAIMS.*</c> handlers).</summary>
    public DirectoryJwtStore Store { get; } = store;

    /// <summary>The options it was opened with.</summary>
    public DirectoryResolverOptions Options { get; } = options;

    /// <summary>
    /// Asks the other servers for a JWT missing here (set once the system account is running;
    /// nats-server's <c>Server.fetch</c>). Null: only the local directory is read.
    /// </summary>
    public Func<string, CancellationToken, Task<string>>? RemoteLookup { get; set; }

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public ValueTask<string> FetchAsync(string accountPublicKey, CancellationToken cancellationToken)
    {
        try
        {
            if (Store.Load(accountPublicKey) is { } jwt)
            {
                return ValueTask.FromResult(jwt);
            }
            return RemoteLookup is { } lookup
                ? new ValueTask<string>(lookup(accountPublicKey, cancellationToken))
                : ValueTask.FromException<string>(new AccountResolverException(AccountResolverException.AccountMissing));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AccountResolverException)
        {
            return ValueTask.FromException<string>(e as AccountResolverException ?? new AccountResolverException(e.Message, e));
        }
    }

    /// <inheritdoc />
    public ValueTask StoreAsync(string accountPublicKey, string jwt, CancellationToken cancellationToken)
    {
        Store.SaveIfNewer(accountPublicKey, jwt);
        return ValueTask.CompletedTask;
    }
}
