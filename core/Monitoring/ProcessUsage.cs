using System.Diagnostics;

namespace Nats.Core.Monitoring;

/// <summary>
/// The process's resident memory and CPU use for <c>/varz</c> (<c>mem</c>, <c>cpu</c>).
/// CPU is the percentage of one core used over the last window of at least a second, to
/// one decimal, as nats-server's <c>pse</c> package samples it; it is sampled when asked
/// rather than by a timer, so an idle server does no work for it.
/// </summary>
internal sealed class ProcessUsage
{
    private static readonly long Window = Stopwatch.Frequency;

    private readonly Lock _lock = new();
    private long _lastTimestamp = Stopwatch.GetTimestamp();
    private TimeSpan _lastCpu = Environment.CpuUsage.TotalTime;
    private double _percent;

    /// <summary>Resident set size in bytes.</summary>
    public static long ResidentBytes => Environment.WorkingSet;

    /// <summary>CPU use in percent of one core (may exceed 100 on several cores).</summary>
    public double CpuPercent()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            var elapsed = now - _lastTimestamp;
            if (elapsed >= Window)
            {
                var cpu = Environment.CpuUsage.TotalTime;
                var wall = Stopwatch.GetElapsedTime(_lastTimestamp, now);
                _percent = Math.Floor((cpu - _lastCpu).TotalSeconds / wall.TotalSeconds * 1000) / 10;
                _lastCpu = cpu;
                _lastTimestamp = now;
            }
            return _percent;
        }
    }
}
