using System.Diagnostics;

namespace Nats.Host.Hosting;

/// <summary>
/// Where start-up time goes (issue 18): with <c>NATS_STARTUP_TIMING=1</c> in the environment,
/// each start-up step is noted (its end: a timestamp and the CPU the process has used so far, all
/// threads, since exec) and, once the client port listens, written to stderr as one line per step,
/// <c>[startup] step  wall +ms  cpu ms (+ms)  jit +n methods +ms</c> (the JIT's share of the step). Written at the end, so the writing itself (the
/// first console use) is in no step. The first step's wall time is since the process started (to
/// 10 ms), its CPU the runtime's own start. CPU is the number to compare on a loaded machine.
/// Off, a step costs one static bool read. docs/benchmarks.md uses it.
/// Called from the start-up thread only.
/// </summary>
internal static class StartupTimeline
{
    // Read once, on the start-up thread, before any step is noted.
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("NATS_STARTUP_TIMING") is "1" or "true";
    private static readonly List<(string Step, long Timestamp, TimeSpan Cpu, long Jitted, TimeSpan JitTime)> Steps = [];

    /// <summary>Notes the end of a start-up step.</summary>
    public static void Step(string step)
    {
        if (Enabled)
        {
            Steps.Add((step, Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime,
                System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime()));
        }
    }

    /// <summary>Notes the last step (the client port listens) and writes them all.</summary>
    public static void Listening()
    {
        if (!Enabled)
        {
            return;
        }
        Step("started (port listening)");
        var previous = Steps[0].Timestamp;
        var sinceExec = DateTime.Now - Process.GetCurrentProcess().StartTime - Stopwatch.GetElapsedTime(previous);
        previous -= (long)(sinceExec.TotalSeconds * Stopwatch.Frequency);
        var (previousCpu, previousJitted, previousJitTime) = (TimeSpan.Zero, 0L, TimeSpan.Zero);
        foreach (var (step, timestamp, cpu, jitted, jitTime) in Steps)
        {
            Console.Error.WriteLine(
                $"[startup] {step,-26} wall +{Stopwatch.GetElapsedTime(previous, timestamp).TotalMilliseconds,6:F1} ms  cpu {cpu.TotalMilliseconds,6:F1} ms (+{(cpu - previousCpu).TotalMilliseconds,5:F1})" +
                $"  jit +{jitted - previousJitted,4} methods +{(jitTime - previousJitTime).TotalMilliseconds,5:F1} ms");
            (previous, previousCpu, previousJitted, previousJitTime) = (timestamp, cpu, jitted, jitTime);
        }
        Steps.Clear();
    }
}
