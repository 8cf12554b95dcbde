using System.Globalization;

namespace Nats.Host.Files;

/// <summary>The <c>-P</c>/<c>pid_file</c> file: the process id, no new line (as nats-server writes it).</summary>
internal sealed class PidFile(string path) : IDisposable
{
    public string Path { get; } = path;

    /// <summary>Writes the file; an IOException means the server must not start (nats-server's "Could not write pidfile").</summary>
    public void Write() => File.WriteAllText(Path, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Removes the file, unless another process has since replaced it with its own pid.</summary>
    public void Dispose()
    {
        try
        {
            if (File.Exists(Path) && File.ReadAllText(Path).Trim() == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            {
                File.Delete(Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leaving a stale pid file behind must not turn a clean exit into a failure.
        }
    }
}
