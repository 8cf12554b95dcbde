using System.Runtime.InteropServices;

namespace Nats.Host.Signals;

/// <summary>
/// The signals nats-server uses, with their numbers on this platform (SIGUSR1/2 differ between
/// Linux and the BSDs/macOS), and <c>kill(2)</c> to send them: .NET has no managed API to send
/// anything but SIGKILL.
/// </summary>
internal static partial class UnixSignal
{
    public const int Hangup = 1;
    public const int Interrupt = 2;
    public const int Quit = 3;
    public const int Kill = 9;
    public const int Terminate = 15;

    public static int User1 => OperatingSystem.IsLinux() ? 10 : 30;

    public static int User2 => OperatingSystem.IsLinux() ? 12 : 31;

    /// <summary>What Go's <c>os.Signal.String()</c> prints, used in "Trapped … signal" log lines.</summary>
    public static string Name(int signal) => signal switch
    {
        Hangup => "hangup",
        Interrupt => "interrupt",
        Quit => "quit",
        Kill => "killed",
        Terminate => "terminated",
        _ when signal == User1 => "user defined signal 1",
        _ when signal == User2 => "user defined signal 2",
        _ => $"signal {signal}",
    };

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; null on success, else the reason ("no such process").</summary>
    public static string? Send(int pid, int signal)
    {
        if (SysKill(pid, signal) == 0)
        {
            return null;
        }
        var text = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        // Go prints errno texts in lower case ("no such process").
        return text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : text;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
