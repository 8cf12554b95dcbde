using System.Diagnostics;
using System.Text;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// One server process started from a command template (see <see cref="ServerCommand"/>) with a
/// generated nats-server style config: <c>host: 127.0.0.1</c>, <c>port: N</c> plus per-test
/// text. Output goes to <see cref="LogPath"/> in the server's own directory so a failing test
/// can show it. The port and config survive <see cref="StopAsync"/>, which is what lets
/// <see cref="StartAsync"/> bring the "same" server back for reconnect tests.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    /// <summary>dotnet on a busy 2-core machine can take several seconds to JIT and bind.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly object _logLock = new();
    private Process? _process;
    private int _starts;

    public ServerUnderTest(string name, string template, int port, string extraConfig, string parentDir)
    {
        Name = name;
        Template = template;
        Port = port;
        Dir = Path.Combine(parentDir, name);
        Directory.CreateDirectory(Dir);
        ConfPath = Path.Combine(Dir, "server.conf");
        LogPath = Path.Combine(Dir, "server.log");
        File.WriteAllText(ConfPath, $"host: 127.0.0.1\nport: {Port}\n{extraConfig}\n");
    }

    public string Name { get; }
    public string Template { get; }
    public int Port { get; }
    public string Dir { get; }
    public string ConfPath { get; }
    public string LogPath { get; }

    /// <summary>Client URL; for TLS servers the test builds its own <c>tls://</c> URL from <see cref="Port"/>.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The running server's process id (for signals).</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException($"{Name} is not running");

    /// <summary>Starts the process and returns once it has sent an INFO line on its client port.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (IsRunning)
            throw new InvalidOperationException($"{Name} is already running");

        var command = ServerCommand.Expand(Template, ConfPath, Port, Dir);
        AppendLog($"---- start #{++_starts}: {command}");
        var psi = new ProcessStartInfo("bash")
        {
            // exec: the PID we signal is the server itself, not a wrapper shell (same as shared/bench).
            ArgumentList = { "-c", "exec " + command },
            WorkingDirectory = Dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) AppendLog(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) AppendLog(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        await WaitUntilReadyAsync(process, ct);
        AssertLoopbackOnly();
    }

    /// <summary>Fails (and stops the server) if it listens on anything but loopback.</summary>
    public void AssertLoopbackOnly()
    {
        if (_process is not { HasExited: false } process)
            return;
        var outside = LoopbackGuard.NonLoopbackListeners(process.Id);
        if (outside.Count == 0)
            return;
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException(
            $"{Name} listens outside 127.0.0.1 ({string.Join(", ", outside)}); it must honour the config's host/listen addresses.");
    }

    /// <summary>
    /// Graceful: SIGTERM, then SIGKILL if it has not exited within a few seconds.
    /// Not graceful: SIGKILL straight away (a crashed cluster member).
    /// </summary>
    public async Task StopAsync(bool graceful = true)
    {
        var process = _process;
        if (process == null)
            return;
        try
        {
            if (!process.HasExited)
            {
                if (graceful && Posix.Terminate(process.Id) && await WaitForExitAsync(process, StopGrace))
                {
                    AppendLog($"---- stopped (SIGTERM), exit code {process.ExitCode}");
                    return;
                }
                process.Kill(entireProcessTree: true);
                if (!await WaitForExitAsync(process, StopGrace))
                    throw new TimeoutException($"{Name} (pid {process.Id}) did not exit after SIGKILL");
                AppendLog("---- killed (SIGKILL)");
            }
        }
        finally
        {
            process.Dispose();
            _process = null;
        }
    }

    public string ReadLog()
    {
        lock (_logLock)
            return File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(graceful: true);
        }
        catch (Exception e)
        {
            AppendLog($"---- stop failed during dispose: {e.Message}");
        }
    }

    private async Task WaitUntilReadyAsync(Process process, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < ReadyTimeout)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await WaitForExitAsync(process, TimeSpan.FromSeconds(2)); // drain its last output
                throw new InvalidOperationException(
                    $"{Name} exited with code {process.ExitCode} before answering on port {Port}.\n{Tail(ReadLog())}");
            }
            try
            {
                await InfoProbe.ReadAsync(Port, TimeSpan.FromSeconds(2), ct);
                AppendLog($"---- ready after {deadline.ElapsedMilliseconds} ms");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                last = e;
            }
            await Task.Delay(50, ct);
        }
        throw new TimeoutException(
            $"{Name} did not send INFO on port {Port} within {ReadyTimeout.TotalSeconds:0}s (last error: {last?.Message}).\n{Tail(ReadLog())}");
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void AppendLog(string line)
    {
        lock (_logLock)
            File.AppendAllText(LogPath, line + "\n", Encoding.UTF8);
    }

    internal static string Tail(string text, int maxLines = 60)
    {
        var lines = text.Split('\n');
        return lines.Length <= maxLines ? text : string.Join('\n', lines[^maxLines..]);
    }
}
