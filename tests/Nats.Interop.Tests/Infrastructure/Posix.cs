using System.Runtime.InteropServices;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// SIGTERM for graceful stops: .NET's Process.Kill only sends SIGKILL, which would skip the
/// server's shutdown path (closing client connections cleanly) that the reconnect tests rely on.
/// </summary>
internal static partial class Posix
{
    private const int SIGTERM = 15;
    private const int SIGUSR2 = 12;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <returns>false when the signal could not be delivered (e.g. the process already exited).</returns>
    public static bool Terminate(int pid) => Kill(pid, SIGTERM) == 0;

    /// <summary>SIGUSR2: lame duck mode, for nats-server and ours alike.</summary>
    public static bool EnterLameDuckMode(int pid) => Kill(pid, SIGUSR2) == 0;
}
