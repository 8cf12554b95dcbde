using System.Diagnostics;
using System.Text;

namespace Nats.Packaging.Tests;

/// <summary>
/// Child processes for the packaging tests: commands run to completion within a deadline, and
/// servers whose output is watched for a line. Every child is killed (with its tree) when it
/// overruns or when the test ends, so a hung restore or server never outlives the test run.
/// </summary>
internal static class Dotnet
{
    /// <summary>
    /// Variables `dotnet test` sets for its own MSBuild; a child `dotnet build` must find its own SDK.
    /// MSBuild nodes are not kept alive after the child ends (they would outlive the test run).
    /// </summary>
    private static readonly string[] Inherited = ["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly"];

    public static ProcessStartInfo StartInfo(string fileName, string workingDirectory, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var name in Inherited)
        {
            info.Environment.Remove(name);
        }
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        return info;
    }

    /// <summary>Runs a command to completion; fails the test with its output when it fails or overruns.</summary>
    public static async Task<string> RunAsync(string fileName, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        using var process = new Process { StartInfo = StartInfo(fileName, workingDirectory, arguments, Packed.Environment) };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        var started = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} did not finish in {timeout.TotalSeconds} s:\n{Text(output)}");
        }
        process.WaitForExit();   // drains the redirected output
        TestContext.Progress.WriteLine($"{Path.GetFileName(fileName)} {string.Join(' ', arguments.Take(2))}: {started.Elapsed.TotalSeconds:F1} s");
        Assert.That(process.ExitCode, Is.Zero, $"{fileName} {string.Join(' ', arguments)} failed:\n{Text(output)}");
        return Text(output);
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}

/// <summary>A long-running child (a server) whose output lines are kept and can be waited for.</summary>
internal sealed class WatchedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    public WatchedProcess(string fileName, string workingDirectory, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var merged = new Dictionary<string, string>(Packed.Environment);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            merged[name] = value;
        }
        _process = new Process { StartInfo = Dotnet.StartInfo(fileName, workingDirectory, arguments, merged) };
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Waits for a line containing <paramref name="text"/>; fails if the process exits or the time runs out first.</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_lines)
            {
                if (_lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
                {
                    return;
                }
            }
            if (_process.HasExited)
            {
                Assert.Fail($"exited ({_process.ExitCode}) before printing \"{text}\":\n{Output}");
            }
            await Task.Delay(50);
        }
        Assert.Fail($"no \"{text}\" within {timeout.TotalSeconds} s:\n{Output}");
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        _process.Dispose();
    }
}
