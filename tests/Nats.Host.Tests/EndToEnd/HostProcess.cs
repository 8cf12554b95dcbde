using System.Diagnostics;
using System.Text;
using Nats.Host.Signals;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The real host executable run as a child process (<c>dotnet nats-server.dll …</c>), with its
/// output captured line by line so tests can wait for log lines. Every wait is bounded; a
/// process still running at dispose is killed (this process only, by its id).
/// </summary>
internal sealed class HostProcess : IDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardOutput
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet nats-server.dll args</c> in <paramref name="workingDirectory"/>.</summary>
    public static HostProcess Start(string workingDirectory, params string[] args) =>
        StartDll(HostExecutable.Path, workingDirectory, args);

    /// <summary>Starts <c>dotnet nats-server.dll args</c> with <paramref name="environment"/> added to its environment.</summary>
    public static HostProcess StartWithEnvironment(IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        return Launch(info, HostExecutable.Path, workingDirectory, args);
    }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> args</c>: a host other than the stock build (a published custom build).</summary>
    public static HostProcess StartDll(string dll, string workingDirectory, params string[] args) =>
        Launch(new ProcessStartInfo("dotnet"), dll, workingDirectory, args);

    /// <summary>Starts a native executable (the NativeAOT build) with <paramref name="args"/>.</summary>
    public static HostProcess StartExecutable(string executable, string workingDirectory, params string[] args) =>
        Launch(new ProcessStartInfo(executable), null, workingDirectory, args);

    /// <summary>
    /// Starts the stock host as a shell starts a background job: with <paramref name="ignored"/>
    /// (shell names such as <c>INT QUIT</c>) inherited as ignored. The shell execs the server, so
    /// <see cref="Id"/> is the server's pid.
    /// </summary>
    public static HostProcess StartWithIgnoredSignals(string ignored, string workingDirectory, params string[] args)
    {
        var shell = new ProcessStartInfo("/bin/sh");
        shell.ArgumentList.Add("-c");
        shell.ArgumentList.Add($"trap '' {ignored}; exec dotnet \"$@\"");
        shell.ArgumentList.Add("sh");
        return Launch(shell, HostExecutable.Path, workingDirectory, args);
    }

    /// <summary>
    /// Starts the stock host's app host through a link named <paramref name="name"/> found on
    /// PATH, as a script runs <c>nats-server</c>: the process is started as that name
    /// (argv[0]), and the shell execs it, so <see cref="Id"/> is the server's pid.
    /// </summary>
    public static HostProcess StartFromPath(string name, string workingDirectory, params string[] args)
    {
        var appHost = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(HostExecutable.Path)!, "nats-server");
        var bin = Directory.CreateDirectory(System.IO.Path.Combine(workingDirectory, "path-bin"));
        var link = System.IO.Path.Combine(bin.FullName, name);
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, appHost);
        }
        var shell = new ProcessStartInfo("/bin/sh");
        shell.ArgumentList.Add("-c");
        shell.ArgumentList.Add($"PATH=\"{bin.FullName}:$PATH\" exec {name} \"$@\"");
        shell.ArgumentList.Add("sh");
        return Launch(shell, null, workingDirectory, args);
    }

    private static HostProcess Launch(ProcessStartInfo info, string? dll, string workingDirectory, string[] args)
    {
        info.WorkingDirectory = workingDirectory;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        if (dll is not null)
        {
            info.ArgumentList.Add(dll);
        }
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = info };
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) => host.Append(host._stdout, host._stdoutClosed, e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(host._stderr, host._stderrClosed, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Runs the host to completion (for <c>-t</c>, <c>--version</c>…) and returns it exited.</summary>
    public static async Task<HostProcess> RunAsync(string workingDirectory, params string[] args)
    {
        var host = Start(workingDirectory, args);
        await host.WaitForExitAsync();
        return host;
    }

    /// <summary>Runs another executable (nats-server, to compare with) to completion within 20 s: its exit code and stderr.</summary>
    public static async Task<(int ExitCode, string StandardError)> RunOtherAsync(string file, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"{file} {string.Join(' ', args)} still running after 20 s");
        }
        await stdout;
        return (process.ExitCode, await stderr);
    }

    /// <summary>Starts the host without the plugins it ships (<see cref="HostExecutable.BarePath"/>).</summary>
    public static HostProcess StartBare(string workingDirectory, params string[] args) =>
        StartDll(HostExecutable.BarePath, workingDirectory, args);

    /// <summary>Runs the host without the plugins it ships to completion and returns it exited.</summary>
    public static async Task<HostProcess> RunBareAsync(string workingDirectory, params string[] args)
    {
        var host = StartBare(workingDirectory, args);
        await host.WaitForExitAsync();
        return host;
    }

    /// <summary>Waits until the log (stderr) has a line containing <paramref name="text"/>.</summary>
    public Task WaitForLogAsync(string text, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(
            () =>
            {
                if (StandardError.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }
                if (_process.HasExited && _stderrClosed.Task.IsCompleted && !StandardError.Contains(text, StringComparison.Ordinal))
                {
                    Assert.Fail($"The host exited ({_process.ExitCode}) before logging \"{text}\".\nstderr:\n{StandardError}\nstdout:\n{StandardOutput}");
                }
                return false;
            },
            () => $"the host to log \"{text}\".\nstderr:\n{StandardError}",
            timeout ?? DefaultWait);

    /// <summary>Waits for the process to end (bounded) and for its output to be read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultWait);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The host did not exit in time.\nstderr:\n{StandardError}");
        }
        return _process.ExitCode;
    }

    /// <summary>Sends a signal to the host process.</summary>
    public void Signal(int signal) => Assert.That(UnixSignal.Send(_process.Id, signal), Is.Null, "kill failed");

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private void Append(StringBuilder target, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (_lock)
        {
            target.AppendLine(line);
        }
    }
}
