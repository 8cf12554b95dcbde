using System.Diagnostics;

namespace Nats.Core.Metrics;

/// <summary>
/// A value computed at most once per <see cref="MaxAge"/>, so the instruments of one scrape
/// (six <c>/connz</c> sums, eight <c>/subsz</c> statistics…) share one walk over the
/// connections or subscriptions, and agree with each other. Lock-free: two scrapes racing may
/// both compute; either result is a correct snapshot.
/// </summary>
internal sealed class Snapshot<T>(Func<T?> compute) where T : class
{
    private static readonly long MaxAge = Stopwatch.Frequency / 20; // 50 ms: shorter than any scrape interval
    private Entry? _entry;

    /// <summary>The value, or null when there is none to report (the server is not running).</summary>
    public T? Value
    {
        get
        {
            var now = Stopwatch.GetTimestamp();
            var entry = Volatile.Read(ref _entry);
            if (entry is null || now - entry.Taken > MaxAge)
            {
                entry = new Entry(compute(), now);
                Volatile.Write(ref _entry, entry);
            }
            return entry.Value;
        }
    }

    private sealed record Entry(T? Value, long Taken);
}
