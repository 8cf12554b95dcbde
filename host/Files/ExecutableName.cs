using System.Text;
using Nats.Host.Signals;

namespace Nats.Host.Files;

/// <summary>
/// The name this process was started as, which nats-server puts in its ports file's name
/// (<c>filepath.Base(os.Args[0])</c>, so <c>nats-server_&lt;pid&gt;.ports</c>): tools that start
/// a server from PATH look for the file by the name they ran.
/// </summary>
internal static class ExecutableName
{
    /// <summary>This process's: argv[0]'s file name, or the app's name when run as <c>dotnet app.dll</c>.</summary>
    public static string Current { get; } = FromArgv(ReadArgv());

    /// <summary>
    /// argv[0]'s file name; when that is the dotnet muxer, the name the app host would have
    /// (the app's dll without its extension), not <c>dotnet</c>.
    /// </summary>
    internal static string FromArgv(IReadOnlyList<string> argv)
    {
        var program = argv.Count > 0 ? Path.GetFileName(argv[0]) : "";
        if (program is "" or "dotnet" or "dotnet.exe")
        {
            // The first .dll on a muxer command line is the app (options such as --roll-forward come before it).
            var app = argv.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
            return app is null ? ServerProcessFinder.AppName : Path.GetFileNameWithoutExtension(app);
        }
        return program;
    }

    // The real argv: the runtime's own view (GetCommandLineArgs) replaces argv[0] with the app's
    // path, losing the name the process was started as (a symlink's, say).
    private static IReadOnlyList<string> ReadArgv()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return Encoding.UTF8.GetString(File.ReadAllBytes("/proc/self/cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Fall through to what the runtime knows.
            }
        }
        return Environment.ProcessPath is { } path ? [path, .. Environment.GetCommandLineArgs()] : [];
    }
}
