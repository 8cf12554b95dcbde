namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// The C (libnats) scenarios in c/, compiled with gcc once per test run into the run's temp
/// directory (never into the source tree), as a single binary that takes the scenario name.
/// </summary>
public static class CClient
{
    private static readonly TimeSpan CompileTimeout = TimeSpan.FromMinutes(2);
    private static readonly object Gate = new();
    private static Task<string>? _compile;

    /// <summary>Path of the compiled binary; a compile failure is remembered for the whole run.</summary>
    public static Task<string> EnsureCompiledAsync()
    {
        lock (Gate)
            return _compile ??= CompileAsync();
    }

    private static async Task<string> CompileAsync()
    {
        var output = Path.Combine(InteropRun.Dir, "nats-c-scenarios");
        var sources = Directory.GetFiles(RepoPaths.CDir, "*.c").OrderBy(f => f, StringComparer.Ordinal);
        string[] args =
        [
            "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", "-Wno-unused-parameter",
            "-o", output, .. sources, "-lnats", "-lpthread",
        ];
        var result = await ToolRunner.RunAsync("gcc", args, RepoPaths.CDir, CompileTimeout);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"gcc failed ({result.ExitCode}); is libnats-dev installed?\n{result.Output}");
        if (result.Output.Contains("warning:", StringComparison.Ordinal))
            TestContext.Progress.WriteLine($"gcc warnings for the C scenarios:\n{result.Output}");
        return output;
    }
}
