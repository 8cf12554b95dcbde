using System.Runtime.InteropServices;

namespace Nats.Host.Signals;

/// <summary>
/// Takes back the signals a parent started us with as ignored. A shell starts background jobs
/// with SIGINT and SIGQUIT ignored (and <c>nohup</c> ignores SIGHUP); the .NET runtime respects an
/// inherited SIG_IGN and then never calls a <see cref="PosixSignalRegistration"/> handler, so the
/// server could not be stopped with SIGINT. nats-server (Go's <c>signal.Notify</c>) installs its
/// handlers regardless, and test harnesses rely on that: stop a server with SIGINT and wait.
/// </summary>
/// <remarks>
/// Must run before anything initialises the runtime's signal handling (the first use of
/// <see cref="Console"/>, <see cref="System.Diagnostics.Process"/> or a signal registration): the
/// runtime reads each disposition once, then. Only signals that are ignored are touched; a
/// disposition someone installed is left alone.
/// </remarks>
internal static partial class InheritedIgnoredSignals
{
    private static readonly nint SigIgn = 1;
    private static readonly nint SigDfl = 0;

    /// <summary>Resets each of <paramref name="signals"/> that is ignored to its default disposition.</summary>
    public static void Reset(IEnumerable<int> signals)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // struct sigaction begins with the handler on Linux (glibc, musl) and macOS; the buffer is
        // larger than any platform's struct so the kernel's write stays inside it.
        Span<nint> current = stackalloc nint[64];
        foreach (var signal in signals)
        {
            unsafe
            {
                fixed (nint* buffer = current)
                {
                    if (SysSigaction(signal, null, buffer) == 0 && buffer[0] == SigIgn)
                    {
                        SysSignal(signal, SigDfl);
                    }
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static unsafe partial int SysSigaction(int signal, nint* action, nint* previous);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint SysSignal(int signal, nint handler);
}
