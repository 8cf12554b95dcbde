using System.Diagnostics;
using System.Text;

namespace Nats.Host.Signals;

/// <summary>
/// Finds running instances of this server for <c>--signal</c> without a pid, as nats-server does
/// with <c>pgrep nats-server</c>. pgrep matches the process name, which is <c>dotnet</c> when the
/// server runs as <c>dotnet nats-server.dll</c>, so on Linux this reads each process's command line
/// and accepts both the app host (<c>nats-server …</c>) and <c>dotnet [options] nats-server.dll …</c>.
/// </summary>
internal static class ServerProcessFinder
{
    /// <summary>The app's name: the app host's file name, and the dll's without extension.</summary>
    public static string AppName { get; } = typeof(ServerProcessFinder).Assembly.GetName().Name!;

    /// <summary>Pids of other running instances (never this process).</summary>
    public static List<int> FindOthers()
    {
        var self = Environment.ProcessId;
        if (!OperatingSystem.IsLinux())
        {
            return Process.GetProcessesByName(AppName).Select(p => p.Id).Where(id => id != self).ToList();
        }
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == self)
            {
                continue;
            }
            string[] argv;
            try
            {
                argv = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, "cmdline"))).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone, or not ours to read
            }
            if (IsServerCommandLine(argv, AppName))
            {
                pids.Add(pid);
            }
        }
        pids.Sort();
        return pids;
    }

    /// <summary>Whether a command line runs the server: its app host, or the dotnet muxer with the server's dll.</summary>
    internal static bool IsServerCommandLine(IReadOnlyList<string> argv, string appName)
    {
        if (argv.Count == 0)
        {
            return false;
        }
        var program = Path.GetFileName(argv[0]);
        if (program == appName)
        {
            return true;
        }
        if (program is not ("dotnet" or "dotnet.exe"))
        {
            return false;
        }
        // The first .dll on a muxer command line is the app (options such as --roll-forward come before it).
        var app = argv.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        return app is not null && Path.GetFileName(app) == appName + ".dll";
    }
}
