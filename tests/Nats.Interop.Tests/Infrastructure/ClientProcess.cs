using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// A running client scenario. Scenarios print JSON lines on stdout: zero or more progress
/// events (<c>{"event":"ready",...}</c>) that let a test act at the right moment (e.g. kill a
/// server once the client is subscribed), then exactly one final result line. Anything else
/// (stderr, non-JSON) is kept only for diagnostics.
/// </summary>
public sealed class ClientProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _stdoutDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _resultLine;

    private ClientProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
    }

    public string Name { get; }
    public string LogPath { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static ClientProcess Start(string name, string fileName, IEnumerable<string> args, string workDir, string logPath)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);

        var process = new Process { StartInfo = psi };
        var client = new ClientProcess(name, process, logPath);
        client.Append($"---- {fileName} {string.Join(' ', psi.ArgumentList)}");
        process.OutputDataReceived += (_, e) => client.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) client.Append("[stderr] " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>Waits for the named progress event; fails if the client finishes or times out first.</summary>
    public async Task<JsonElement> WaitForEventAsync(string eventName, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await foreach (var ev in _events.Reader.ReadAllAsync(cts.Token))
            {
                if (ev.GetProperty("event").GetString() == eventName)
                    return ev;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name}: no '{eventName}' event within {timeout.TotalSeconds:0}s.\n{ServerUnderTest.Tail(Output)}");
        }
        throw new InvalidOperationException(
            $"{Name} ended before reporting '{eventName}' (result: {_resultLine ?? "none"}).\n{ServerUnderTest.Tail(Output)}");
    }

    /// <summary>
    /// Waits for the client to exit and returns its result line. The client enforces its own
    /// scenario timeout; <paramref name="timeout"/> is the harness's backstop, after which the
    /// process is killed and the test fails.
    /// </summary>
    public async Task<ScenarioResult> WaitForResultAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not finish within {timeout.TotalSeconds:0}s; killed.\n{ServerUnderTest.Tail(Output)}");
        }
        try
        {
            // Normally immediate; only a stray child process keeping the pipe open delays it.
            await _stdoutDone.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);
        }
        catch (TimeoutException)
        {
            Append("---- stdout still open 5 s after exit; using the lines read so far");
        }

        var line = _resultLine;
        if (line == null)
            throw new InvalidOperationException(
                $"{Name} exited with code {_process.ExitCode} without printing a result line.\n{ServerUnderTest.Tail(Output)}");
        // Always shown in the test's output: what the client observed, pass or fail.
        TestContext.Out.WriteLine($"{Name}: {line}");
        using var doc = JsonDocument.Parse(line);
        return new ScenarioResult(doc.RootElement.Clone(), line, Output);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // Nothing more we can do; the log says it was killed.
        }
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                Append("---- killed by harness");
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited between the check and the kill.
        }
    }

    private void OnStdout(string? line)
    {
        if (line == null)
        {
            _events.Writer.TryComplete();
            _stdoutDone.TrySetResult();
            return;
        }
        Append(line);
        if (!line.StartsWith('{'))
            return;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return;
            if (doc.RootElement.TryGetProperty("event", out _))
                _events.Writer.TryWrite(doc.RootElement.Clone());
            else
                _resultLine = line;
        }
        catch (JsonException)
        {
            // Not one of ours (a library's debug print); already logged above.
        }
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.Append(line).Append('\n');
            File.AppendAllText(LogPath, line + "\n", Encoding.UTF8);
        }
    }
}
