using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nats.Mqtt.Tests;

/// <summary>
/// MQTT.js (npm <c>mqtt</c>, pinned in js/package.json) scenarios in js/run.mjs, run with node
/// from the source tree; <c>npm ci</c> once per run when js/node_modules lacks the package.
/// </summary>
internal static class MqttJs
{
    private static readonly Lock Gate = new();
    private static Task? _install;

    /// <summary>tests/Nats.Mqtt.Tests/js in the source tree.</summary>
    public static string Dir
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Plugins.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", "Nats.Mqtt.Tests", "js");
                }
            }
            throw new InvalidOperationException("Plugins.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Node and npm present (test.sh installs them), and the package installed (once).</summary>
    public static async Task RequireAsync()
    {
        if (!File.Exists("/usr/bin/node") || !File.Exists("/usr/bin/npm"))
        {
            Assert.Ignore("node/npm are not installed (test.sh installs them)");
        }
        Task install;
        lock (Gate)
        {
            install = _install ??= InstallAsync();
        }
        await install;
    }

    private static async Task InstallAsync()
    {
        if (File.Exists(Path.Combine(Dir, "node_modules", "mqtt", "package.json")))
        {
            return;
        }
        using var npm = Start("npm", ["ci", "--no-audit", "--no-fund"]);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var output = npm.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = npm.StandardError.ReadToEndAsync(cts.Token);
        await npm.WaitForExitAsync(cts.Token);
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {Dir} failed ({npm.ExitCode}):\n{await output}\n{await errors}");
        }
    }

    private static Process Start(string tool, string[] arguments)
    {
        var info = new ProcessStartInfo(tool)
        {
            WorkingDirectory = Dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info)!;
    }

    /// <summary>Starts a scenario; its stdout is one JSON object a line.</summary>
    public static Scenario Run(string scenario, object options) =>
        new(Start("node", ["run.mjs", scenario, JsonSerializer.Serialize(options)]));

    /// <summary>A running MQTT.js scenario.</summary>
    public sealed class Scenario(Process process) : IDisposable
    {
        /// <summary>The next JSON line (bounded wait); an <c>error</c> line fails the test.</summary>
        public async Task<JsonObject> NextAsync(TimeSpan? timeout = null)
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
            if (line is null)
            {
                Assert.Fail("MQTT.js ended early: " + await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5)));
            }
            var json = JsonNode.Parse(line!)!.AsObject();
            if (json["error"] is { } error)
            {
                Assert.Fail("MQTT.js: " + error);
            }
            return json;
        }

        /// <summary>The CONNACK line, then (a sub scenario) the SUBACK line: the subscription is in place.</summary>
        public async Task<JsonObject> ReadyAsync()
        {
            var connected = await NextAsync();
            Assert.That((bool?)connected["connected"], Is.True);
            return await NextAsync();
        }

        /// <summary>Skips lines up to the next message (one with a payload).</summary>
        public async Task<JsonObject> NextMessageAsync()
        {
            while (true)
            {
                var line = await NextAsync();
                if (line.ContainsKey("payload"))
                {
                    return line;
                }
            }
        }

        /// <summary>Waits for the process to exit (bounded) and gives its exit code.</summary>
        public async Task<int> ExitAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(cts.Token);
            return process.ExitCode;
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
    }
}
