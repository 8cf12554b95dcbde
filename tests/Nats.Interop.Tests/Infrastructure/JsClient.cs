namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// nats.js scenarios in js/. Installs the pinned packages with <c>npm ci</c> when
/// js/node_modules is missing (a clean clone), once per run, so CI needs no separate step.
/// </summary>
public static class JsClient
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);
    private static readonly object Gate = new();
    private static Task? _install;

    public static string RunScript => Path.Combine(RepoPaths.JsDir, "run.mjs");

    /// <summary>
    /// The one install attempt of this run; a failure is remembered, so every js test reports
    /// the npm output instead of retrying the install.
    /// </summary>
    public static Task EnsureInstalledAsync()
    {
        lock (Gate)
            return _install ??= InstallAsync();
    }

    private static async Task InstallAsync()
    {
        // Checking the package itself (not just the folder) also repairs an interrupted install.
        if (File.Exists(Path.Combine(RepoPaths.JsDir, "node_modules", "nats", "package.json")))
            return;
        var result = await ToolRunner.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], RepoPaths.JsDir, NpmTimeout);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"npm ci in {RepoPaths.JsDir} failed ({result.ExitCode}):\n{result.Output}");
    }
}
