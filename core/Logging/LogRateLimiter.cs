using System.Diagnostics;

namespace Nats.Core.Logging;

/// <summary>
/// Lets at most a fixed number of lines of one kind through per time window, so that a flood
/// (10,000 garbage connections, say) cannot fill the disk; the lines held back are counted and
/// the first line of the next window says how many there were.
/// </summary>
/// <remarks>Thread-safe: taken only on error paths (a lock is cheap there), never per message.</remarks>
internal sealed class LogRateLimiter
{
    private readonly Lock _lock = new();
    private readonly int _linesPerWindow;
    private readonly long _windowTicks;

    // Guarded by _lock.
    private long _windowStart;
    private int _linesInWindow;
    private long _suppressed;

    /// <summary>Creates a limiter allowing <paramref name="linesPerWindow"/> lines every <paramref name="window"/>.</summary>
    public LogRateLimiter(int linesPerWindow, TimeSpan window)
    {
        _linesPerWindow = linesPerWindow;
        _windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        _windowStart = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// True when a line may be written now; <paramref name="suppressed"/> is how many lines were
    /// held back since the last one written (to be said in the line).
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
