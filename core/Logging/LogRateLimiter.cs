using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Nats.Core.Logging;

/// <summary>
/// Lets at most a fixed number of lines of one kind through per time window, so that a flood
/// (10,000 garbage connections, say) cannot fill the disk; the lines held back are counted and
/// the first line of the next window is preceded by one saying how many there were.
/// </summary>
/// <remarks>Thread-safe: taken only on error paths (a lock is cheap there), never per message.</remarks>
internal sealed class LogRateLimiter
{
    private readonly Lock _lock = new();
    private readonly string _what;
    private readonly int _linesPerWindow;
    private readonly long _windowTicks;

    // Guarded by _lock.
    private long _windowStart;
    private int _linesInWindow;
    private long _suppressed;

    /// <summary>Creates a limiter allowing <paramref name="linesPerWindow"/> lines every <paramref name="window"/>.</summary>
    /// <param name="what">Names the kind of line in the "suppressed" line (e.g. <c>authentication error</c>).</param>
    /// <param name="linesPerWindow">Lines let through per window.</param>
    /// <param name="window">The window's length.</param>
    public LogRateLimiter(string what, int linesPerWindow, TimeSpan window)
    {
        _what = what;
        _linesPerWindow = linesPerWindow;
        _windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        _windowStart = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// True when a line at <paramref name="level"/> may be written to <paramref name="log"/> now.
    /// A level the log does not write costs nothing and uses none of the window. When lines
    /// were held back since the last one written, says how many first (at the same level).
    /// </summary>
    public bool Allow(ILogger log, LogLevel level)
    {
        if (!log.IsEnabled(level))
        {
            return false;
        }
        if (!TryEnter(out var suppressed))
        {
            return false;
        }
        if (suppressed > 0)
        {
            ServerLog.LinesSuppressed(log, level, _what, suppressed);
        }
        return true;
    }

    /// <summary>
    /// True when a line may be written now; <paramref name="suppressed"/> is how many lines were
    /// held back since the last one written.
    /// </summary>
    public bool TryEnter(out long suppressed)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (now - _windowStart >= _windowTicks)
            {
                _windowStart = now;
                _linesInWindow = 0;
            }
            if (_linesInWindow >= _linesPerWindow)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }
            _linesInWindow++;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
