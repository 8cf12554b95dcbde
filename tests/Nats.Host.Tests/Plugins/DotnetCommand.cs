using System.Diagnostics;

namespace Nats.Host.Tests.Plugins;

/// <summary>Runs <c>dotnet …</c> (or a script) to completion within a time limit, failing the test with its output if it fails.</summary>
internal static class DotnetCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public static string Run(string fileName, IEnumerable<string> args, string workingDirectory, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // Builds started by tests must not leave a build server behind holding the test's files.
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? DefaultTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} took longer than {timeout ?? DefaultTimeout}.");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', args)} failed ({process.ExitCode}):\n{output.Result}\n{errors.Result}");
        }
        return output.Result;
    }
}
