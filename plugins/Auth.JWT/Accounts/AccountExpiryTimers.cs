using System.Collections.Concurrent;

namespace Nats.AuthJwt.Accounts;

/// <summary>
/// One timer per account JWT that carries an expiry (nats-server's <c>Account.etmr</c>, armed by
/// <c>checkExpiration</c> whenever claims are registered or updated). When it fires, the owner
/// decides from the claims then in force: an update may have moved or removed the expiry.
/// </summary>
/// <remarks>Thread-safe: scheduling replaces an account's timer atomically; callbacks run on the timer pool.</remarks>
internal sealed class AccountExpiryTimers(Action<string> fired, Func<DateTimeOffset> clock) : IDisposable
{
    // Timer periods are capped near 49 days; further expiries are re-armed when this much is left.
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(30);

    private readonly ConcurrentDictionary<string, Timer> _timers = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    /// <summary>Accounts with a timer armed.</summary>
    public int Count => _timers.Count;

    /// <summary>
    /// Arms (or re-arms) <paramref name="account"/>'s timer for <paramref name="expiresUnix"/>; 0 or a
    /// time already past disarms it (nats-server only marks such an account expired: its JWT is refused
    /// before it gets here, and connects to it are refused by the user check).
    /// </summary>
    public void Schedule(string account, long expiresUnix)
    {
        if (_disposed)
        {
            return;
        }
        var delay = expiresUnix == 0 ? TimeSpan.Zero : DateTimeOffset.FromUnixTimeSeconds(expiresUnix) - clock();
        if (delay <= TimeSpan.Zero)
        {
            Cancel(account);
            return;
        }
        var timer = new Timer(_ => Fire(account), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_timers.TryGetValue(account, out var old) && _timers.TryUpdate(account, timer, old))
        {
            old.Dispose();
        }
        else if (!_timers.TryAdd(account, timer))
        {
            // Raced with another scheduler: the latest claims are scheduled by their own call.
            timer.Dispose();
            return;
        }
        // Started once stored, so a quick expiry cannot fire before its timer is known.
        timer.Change(delay < MaxDelay ? delay + TimeSpan.FromMilliseconds(1) : MaxDelay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Disarms <paramref name="account"/>'s timer.</summary>
    public void Cancel(string account)
    {
        if (_timers.TryRemove(account, out var timer))
        {
            timer.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var account in _timers.Keys)
        {
            Cancel(account);
        }
    }

    private void Fire(string account)
    {
        if (!_disposed)
        {
            fired(account);
        }
    }
}
