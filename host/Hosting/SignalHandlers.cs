using System.Runtime.InteropServices;
using Nats.Host.Signals;

namespace Nats.Host.Hosting;

/// <summary>
/// Registers the process signals nats-server handles and routes each to an action. Handlers run
/// on a runtime thread and must return quickly, so every action only starts work. The default
/// action of each signal (terminate, core dump) is cancelled: the server decides how to stop.
/// </summary>
internal sealed class SignalHandlers : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <summary>The signals the server acts on (nats-server's set; Windows has only the first two).</summary>
    public static int[] Handled => [UnixSignal.Interrupt, UnixSignal.Terminate, UnixSignal.Quit, UnixSignal.Hangup, UnixSignal.User1, UnixSignal.User2];

    /// <summary>Registers <paramref name="handle"/> for every signal; it receives the raw signal number.</summary>
    public SignalHandlers(Action<int> handle)
    {
        if (OperatingSystem.IsWindows())
        {
            // Only Ctrl+C style signals exist there; SIGINT/SIGTERM map to them.
            Register(UnixSignal.Interrupt, handle);
            Register(UnixSignal.Terminate, handle);
            return;
        }
        foreach (var signal in Handled)
        {
            Register(signal, handle);
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Register(int signal, Action<int> handle)
    {
        // PosixSignal names only the portable signals; raw numbers are accepted cast to it.
        var posix = signal switch
        {
            UnixSignal.Interrupt => PosixSignal.SIGINT,
            UnixSignal.Terminate => PosixSignal.SIGTERM,
            UnixSignal.Quit => PosixSignal.SIGQUIT,
            UnixSignal.Hangup => PosixSignal.SIGHUP,
            _ => (PosixSignal)signal,
        };
        _registrations.Add(PosixSignalRegistration.Create(posix, context =>
        {
            context.Cancel = true;
            handle(signal);
        }));
    }
}
