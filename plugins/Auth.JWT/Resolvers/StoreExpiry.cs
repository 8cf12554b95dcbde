using Microsoft.Extensions.Logging;
using Nats.AuthJwt.Logging;

namespace Nats.AuthJwt.Resolvers;

/// <summary>
/// The directory store's expiry timer (nats-server's <c>DirJWTStore.startExpiring</c>): every
/// <see cref="CheckInterval"/> the entries whose time is up are removed from the directory (a
/// cache's entries after its <c>ttl</c>, a full store's when their JWT expires). As in nats-server
/// the removal touches only the store: an account already in use stays (its own JWT expiry is the
/// account resolver's business), and a later miss fetches the JWT again.
/// </summary>
/// <remarks>The timer runs on the thread pool; the store's lock guards the removal. Disposing stops it.</remarks>
public sealed class StoreExpiry : IDisposable
{
    private readonly DirectoryJwtStore _store;
    private readonly ILogger _logger;
    private readonly Timer _timer;

    /// <summary>Removes expired JWTs from <paramref name="store"/> every <paramref name="checkInterval"/> (nats-server's default when null).</summary>
    public StoreExpiry(DirectoryJwtStore store, ILogger logger, TimeSpan? checkInterval = null)
    {
        _store = store;
        _logger = logger;
        CheckInterval = checkInterval ?? IntervalFor(store.Ttl);
        _timer = new Timer(_ => Check(), null, CheckInterval, CheckInterval);
    }

    /// <summary>How often expired entries are looked for.</summary>
    public TimeSpan CheckInterval { get; }

    /// <summary>nats-server's default check: half the TTL, at most (and without a TTL) a minute.</summary>
    public static TimeSpan IntervalFor(TimeSpan ttl)
    {
        var interval = ttl > TimeSpan.Zero ? ttl / 2 : TimeSpan.Zero;
        return interval == TimeSpan.Zero || interval > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : interval;
    }

    private void Check()
    {
        try
        {
            foreach (var key in _store.RemoveExpired())
            {
                AuthJwtLog.ExpiredJwtRemoved(_logger, key, _store.DirectoryPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // nats-server retries a failed removal on the next check; so does the next tick here.
            AuthJwtLog.ExpiredJwtRemovalFailed(_logger, _store.DirectoryPath, e.Message);
        }
    }

    /// <summary>Stops the checks.</summary>
    public void Dispose() => _timer.Dispose();
}
