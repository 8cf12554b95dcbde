using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Nats.TestSupport;

/// <summary>
/// The reference Go <c>nats-server</c> (Debian's 2.9.10, installed by <c>./test.sh</c>) run
/// as a child process from a config text, for side-by-side comparisons. Killed when disposed.
/// </summary>
public sealed class ReferenceServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private ReferenceServer(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <summary>The path of the nats-server binary, or null when not installed.</summary>
    public static string? FindBinary()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var path = Path.Combine(dir, "nats-server");
            if (dir.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>
    /// Starts nats-server with <paramref name="config"/> and waits (bounded) until
    /// <paramref name="waitForPort"/> accepts connections.
    /// </summary>
    public static async Task<ReferenceServer> StartAsync(string config, int waitForPort)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException("nats-server is not installed (./test.sh installs it)");
        var directory = Directory.CreateTempSubdirectory("refsrv").FullName;
        var configPath = Path.Combine(directory, "server.conf");
        await File.WriteAllTextAsync(configPath, config);
        var psi = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-c", configPath },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("nats-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ReferenceServer(process, directory);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"nats-server exited with {process.ExitCode}");
            }
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, waitForPort));
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        await server.DisposeAsync();
        throw new TimeoutException($"nats-server did not listen on {waitForPort} within 10 s");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
