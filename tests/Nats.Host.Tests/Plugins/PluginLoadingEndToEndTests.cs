using Nats.Host.Signals;
using Nats.Host.Tests.EndToEnd;

using Nats.TestSupport;

namespace Nats.Host.Tests.Plugins;

/// <summary>
/// The stock host loading plugin folders, as an operator runs it: isolation of private
/// dependencies, ordering, failures that stop the server, <c>optional</c>, <c>load</c>, bad folders.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class PluginLoadingEndToEndTests
{
    [OneTimeSetUp]
    public void BuildPlugins() => PluginAssets.OutputOf("PluginA");

    [Test]
    public async Task Two_plugins_carrying_different_versions_of_one_dependency_both_work()
    {
        using var dir = new TempDirectory();
        var plugins = dir.File("plugins");
        PluginAssets.Install(plugins, "PluginA");
        PluginAssets.Install(plugins, "PluginB");
        var (port, http) = (FreePorts.Take(), FreePorts.Take());

        using var host = HostProcess.Start(dir.Path, "-a", "127.0.0.1", "-p", $"{port}", "-m", $"{http}", "--plugins_dir", "plugins");
        await host.WaitForLogAsync("Server is ready");

        var log = host.StandardError;
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Contain($"alpha: VersionedDep 1.0.0.0 says hello from v1 from {Path.Combine(plugins, "PluginA", "VersionedDep.dll")}"));
            Assert.That(log, Does.Contain($"beta: VersionedDep 2.0.0.0 says hello from v2 (v2-only) from {Path.Combine(plugins, "PluginB", "VersionedDep.dll")}"));
            Assert.That(log, Does.Contain($"Loaded plugin alpha 0.1.0 from {Path.Combine(plugins, "PluginA")}"));
            // beta has the lower Order: it configures and starts first.
            AssertInOrder(log, "Loaded plugin beta", "Loaded plugin alpha", "beta: started", "alpha: started", "Server is ready");
        });
        using var web = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.That(await web.GetStringAsync($"http://127.0.0.1:{http}/alphaz"), Does.Contain("\"1.0.0.0\""));
        Assert.That(await web.GetStringAsync($"http://127.0.0.1:{http}/betaz"), Does.Contain("\"2.0.0.0\"").And.Contain("v2-only"));

        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        AssertInOrder(host.StandardError, "Initiating Shutdown", "alpha: stopped", "beta: stopped", "Server Exiting");
    }

    [Test]
    public async Task A_plugin_that_fails_to_configure_stops_the_host_with_its_name_and_reason()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "PluginA");
        PluginAssets.Install(dir.File("plugins"), "FailingPlugin");

        using var host = await HostProcess.RunAsync(dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", "plugins");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain("nats-server: plugin \"failing\": the failing plugin refuses to configure\n"));
        Assert.That(host.StandardError, Does.Not.Contain("Server is ready"));
    }

    [Test]
    public async Task An_optional_plugin_that_fails_is_skipped_and_leaves_nothing_behind()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "PluginA");
        PluginAssets.Install(dir.File("plugins"), "FailingPlugin");
        var port = FreePorts.Take();
        var conf = dir.Write("optional.conf", $"host: 127.0.0.1\nport: {port}\nplugins {{ optional: [\"failing\"] }}\nfailing {{ x: 1 }}\n");

        using var host = HostProcess.Start(dir.Path, "-c", conf, "--plugins_dir", "plugins");
        await host.WaitForLogAsync("Server is ready");

        Assert.That(host.StandardError, Does.Contain("[ERR] plugin \"failing\": the failing plugin refuses to configure (optional: skipped)"));
        Assert.That(host.StandardError, Does.Contain("Loaded plugin alpha"));
        // Its section is nobody's again, and its deny-all authenticator is not in force.
        Assert.That(host.StandardError, Does.Contain("optional.conf:4:1: field \"failing\" needs plugin failing, which is not loaded, and is ignored"));
        Assert.That(await RawClient.TryLoginAsync(port, null, null), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task Load_selects_the_plugins_that_run()
    {
        using var dir = new TempDirectory();
        var plugins = dir.File("plugins");
        foreach (var project in new[] { "PluginA", "PluginB", "FailingPlugin" })
        {
            PluginAssets.Install(plugins, project);
        }
        var port = FreePorts.Take();
        var conf = dir.Write("load.conf", $"host: 127.0.0.1\nport: {port}\nplugins {{\n  dir: \"{plugins}\"\n  load: [\"alpha\"]\n}}\n");

        using var host = HostProcess.Start(dir.Path, "-c", conf);
        await host.WaitForLogAsync("Server is ready");

        Assert.That(host.StandardError, Does.Contain("Loaded plugin alpha"));
        Assert.That(host.StandardError, Does.Not.Contain("Loaded plugin beta").And.Not.Contain("failing"));

        // Which plugins run is decided at start: a reload may not change it.
        File.WriteAllText(conf, $"host: 127.0.0.1\nport: {port}\nplugins {{\n  dir: \"{plugins}\"\n  load: [\"alpha\", \"beta\"]\n}}\n");
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Failed to reload server configuration: plugins: config reload not supported for this section");
    }

    [Test]
    public async Task A_name_in_load_that_no_plugin_has_stops_the_host()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "PluginA");
        var conf = dir.Write("load.conf", $"host: 127.0.0.1\nport: {FreePorts.Take()}\nplugins {{ load: [alpha, gamma] }}\n");

        using var host = await HostProcess.RunAsync(dir.Path, "-c", conf, "--plugins_dir", "plugins");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain($"nats-server: plugin \"gamma\": not found in "));
        Assert.That(host.StandardError, Does.Contain(dir.File("plugins")));
    }

    [Test]
    public async Task A_plugin_folder_without_its_assembly_is_reported_unless_optional()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "PluginA");
        Directory.CreateDirectory(dir.File("plugins/Empty"));
        File.WriteAllText(dir.File("plugins/Empty/readme.txt"), "not a plugin");
        var port = FreePorts.Take();

        using (var failing = await HostProcess.RunAsync(dir.Path, "-a", "127.0.0.1", "-p", $"{port}", "--plugins_dir", "plugins"))
        {
            Assert.That(await failing.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(failing.StandardError, Does.Contain(
                $"nats-server: plugin \"Empty\": no plugin.toml in {dir.File("plugins/Empty")} (every plugin folder carries a manifest: see docs/plugins.md)"));
        }
        // With a manifest but still no assembly.
        File.WriteAllText(dir.File("plugins/Empty/plugin.toml"), "name = \"empty\"\nversion = \"1.0.0\"\nkernel_api = \"1.0\"\n");

        var conf = dir.Write("optional.conf", $"host: 127.0.0.1\nport: {port}\nplugins {{ optional: [Empty] }}\n");
        using var host = HostProcess.Start(dir.Path, "-c", conf, "--plugins_dir", "plugins");
        await host.WaitForLogAsync("Server is ready");
        Assert.That(host.StandardError, Does.Contain("plugin \"Empty\": no Empty.dll in").And.Contain("(optional: skipped)"));
        Assert.That(host.StandardError, Does.Contain("Loaded plugin alpha"));
    }

    [Test]
    public async Task A_manifest_naming_its_class_loads_it_alone_and_still_reports_a_missing_dependency()
    {
        using var dir = new TempDirectory();
        var folder = PluginAssets.Install(dir.File("plugins"), "PluginA");
        var manifest = Path.Combine(folder, "plugin.toml");
        File.WriteAllText(manifest, "name = \"alpha\"\nversion = \"0.1.0\"\nkernel_api = \"1.0\"\ntype = \"PluginA.AlphaPlugin\"\n");
        string[] args = ["-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", "plugins"];

        using (var host = HostProcess.Start(dir.Path, args))
        {
            await host.WaitForLogAsync("Server is ready");
            Assert.That(host.StandardError, Does.Contain($"alpha: VersionedDep 1.0.0.0 says hello from v1 from {Path.Combine(folder, "VersionedDep.dll")}"));
            host.Signal(UnixSignal.Terminate);
            Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        }

        // Its private dependency gone: reported against the folder at start, as the full walk would.
        File.Delete(Path.Combine(folder, "VersionedDep.dll"));
        using (var missing = await HostProcess.RunAsync(dir.Path, args))
        {
            Assert.That(await missing.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(missing.StandardError, Does.Contain("nats-server: plugin \"PluginA\": cannot load VersionedDep, a dependency of PluginA.dll: "));
        }

        File.WriteAllText(manifest, "name = \"alpha\"\nversion = \"0.1.0\"\nkernel_api = \"1.0\"\ntype = \"PluginA.Nope\"\n");
        using var wrong = await HostProcess.RunAsync(dir.Path, args);
        Assert.That(await wrong.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(wrong.StandardError, Does.Contain($"nats-server: plugin \"PluginA\": {manifest}: type \"PluginA.Nope\" is not a [ServerPlugin] class of PluginA.dll"));
    }

    [Test]
    public async Task A_missing_plugins_directory_is_an_error()
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", "nowhere");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain("nats-server: plugins directory \"nowhere\" does not exist"));
    }

    [Test]
    public async Task The_usage_text_documents_plugins_dir()
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, "--help");
        Assert.That(host.StandardOutput, Does.Contain("--plugins_dir <dir>"));
    }

    private static void AssertInOrder(string log, params string[] lines)
    {
        var positions = lines.Select(l => (Line: l, Index: log.IndexOf(l, StringComparison.Ordinal))).ToList();
        Assert.That(positions.Where(p => p.Index < 0).Select(p => p.Line), Is.Empty, "missing from the log:\n" + log);
        Assert.That(positions.Select(p => p.Index), Is.Ordered, "out of order: " + string.Join(" < ", lines) + "\n" + log);
    }
}
