using System.Text.RegularExpressions;
using Nats.TestSupport;

namespace Nats.Packaging.Tests;

/// <summary>The packed tool, template and packages used as their docs (docs/packages.md) say.</summary>
public sealed class PackageTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Tool_InstalledFromTheFeed_ServesClientsWithItsPlugins()
    {
        var port = FreePorts.Take();
        await using var server = new WatchedProcess(Packed.Tool, Packed.Work, ["-p", port.ToString()]);
        await server.WaitForLineAsync("Server is ready", StartTimeout);

        await using var client = await RawClient.ConnectAndHandshakeAsync(port);
        // INFO's version is the nats-server version it is compatible with; the banner has the package's.
        Assert.That(server.Output, Does.Contain($"Version:  {Packed.Version} "));
        foreach (var plugin in new[] { "jetstream", "websocket", "leafnodes", "gateway", "mqtt", "auth-jwt" })
        {
            Assert.That(server.Output, Does.Contain($"Loaded plugin {plugin} "), plugin);
        }
    }

    [Test]
    public void EveryPluginOfTheRepository_IsPacked()
    {
        // A plugin is a plugins/<Name>/ folder with a manifest; each is the package Nats.Server.Plugins.<Name>.
        var plugins = Directory.GetDirectories(Path.Combine(Packed.Root, "plugins"))
            .Where(d => File.Exists(Path.Combine(d, "plugin.toml")))
            .Select(Path.GetFileName).ToList();
        Assert.That(plugins, Is.Not.Empty);
        foreach (var name in plugins)
        {
            Assert.That(File.Exists(Path.Combine(Packed.Work, "feed", $"Nats.Server.Plugins.{name}.{Packed.Version}.nupkg")), Is.True, name);
        }
    }

    [Test]
    public async Task Template_MakesAPluginTheToolLoads_AndItAuthenticates()
    {
        // Deployed as the docs say: <plugins_dir>/MyAuth/ holding the build output.
        var pluginsDir = Path.Combine(Packed.Work, "deployed-plugins");
        CopyDirectory(Packed.PluginOutput, Path.Combine(pluginsDir, "MyAuth"));
        Assert.That(File.Exists(Path.Combine(pluginsDir, "MyAuth", "Nats.Core.dll")), Is.False, "the kernel comes from the host");
        Assert.That(Directory.Exists(Path.Combine(pluginsDir, "MyAuth", "runtimes")), Is.False, "no native copies in the plugin folder");
        var port = FreePorts.Take();
        var conf = Path.Combine(Packed.Work, "myauth.conf");
        File.WriteAllText(conf, $"port: {port}\nmyauth {{ token: \"s3cret\" }}\n");

        await using var server = new WatchedProcess(Packed.Tool, Packed.Work, ["-c", conf, "--plugins_dir", pluginsDir]);
        await server.WaitForLineAsync("Server is ready", StartTimeout);

        Assert.That(server.Output, Does.Contain($"Loaded plugin myauth 1.0.0 from {Path.Combine(pluginsDir, "MyAuth")}"));
        Assert.That(await LoginAsync(port, "s3cret"), Is.EqualTo("PONG"));
        Assert.That(await LoginAsync(port, "wrong"), Is.EqualTo("-ERR 'Authorization Violation'"));
    }

    [Test]
    public async Task Template_TestProject_PassesAgainstThePackedKernel()
    {
        // The template's own NUnit project (built with the rest in Packed): it starts a server
        // in its process with the plugin and connects with NATS.Net, all from packed packages.
        var output = await Dotnet.RunAsync("dotnet", Path.GetDirectoryName(Packed.PluginTests)!, TimeSpan.FromMinutes(3),
            "test", Packed.PluginTests, "--no-build", "-c", "Release", "-nologo");

        var summary = Regex.Match(output, @"Failed:\s*(\d+),\s*Passed:\s*(\d+)");
        Assert.That(summary.Success, Is.True, $"no test summary in:\n{output}");
        Assert.That(int.Parse(summary.Groups[1].Value), Is.Zero, output);
        Assert.That(int.Parse(summary.Groups[2].Value), Is.EqualTo(4), output);
    }

    [Test]
    public async Task App_ReferencingHostingAndAPluginPackage_StartsWithThePlugin()
    {
        Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(Packed.AppDll)!, "plugins", "WebSocket", "WebSocket.dll")), Is.True,
            "the plugin package puts its folder in plugins/ of the output");
        var ports = FreePorts.Take(2);
        await using var app = new WatchedProcess("dotnet", Packed.Work, [Packed.AppDll], new Dictionary<string, string>
        {
            ["Nats__port"] = ports[0].ToString(),
            ["Nats__websocket__port"] = ports[1].ToString(),
            ["Nats__websocket__no_tls"] = "true",
        });
        await app.WaitForLineAsync("Server is ready", StartTimeout);

        Assert.That(app.Output, Does.Contain("Loaded plugin websocket"));
        await using (var client = await RawClient.ConnectAndHandshakeAsync(ports[0]))
        {
        }
        await using var ws = await RawWebSocket.ConnectAsync(ports[1]);
        var info = await ws.ReadFrameAsync();
        Assert.That(System.Text.Encoding.UTF8.GetString(info.Payload), Does.StartWith("INFO "));
    }

    private static async Task<string> LoginAsync(int port, string token)
    {
        await using var client = await RawClient.ConnectAsync(port);
        await client.SendAsync($"CONNECT {{\"verbose\":false,\"auth_token\":\"{token}\"}}\r\nPING\r\n");
        return await client.ReadLineAsync();
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
