namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// Run-wide scratch directory (compiled C scenarios, per-test server/client directories),
/// removed when the run ends. Unique per process so concurrent runs never share files.
/// </summary>
public static class InteropRun
{
    private static readonly Lazy<string> LazyDir = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), $"nats-interop-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(dir);
        return dir;
    });

    public static string Dir => LazyDir.Value;

    public static void Cleanup()
    {
        if (LazyDir.IsValueCreated)
            TryDelete(LazyDir.Value);
    }

    public static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A process we failed to stop may still hold a file; /tmp is cleaned eventually anyway.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
