using System.Diagnostics;
using Nats.Core.Security;
using Nats.Host.Signals;
using Nats.Host.Tests.EndToEnd;

using Nats.TestSupport;

namespace Nats.Host.Tests.Plugins;

/// <summary>
/// The HtpasswdAuth sample (samples/HtpasswdAuth, built on its own against core, carrying
/// Newtonsoft.Json which the host lacks) deployed into a plugins folder of the stock host, and
/// real clients authenticating against it.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(90_000)]
public sealed class HtpasswdPluginEndToEndTests
{
    // Cost 4 keeps the test quick; the format is what htpasswd -B writes ($2y$).
    private static readonly string AliceHash = Bcrypt.Hash("wonderland", 4).Replace("$2a$", "$2y$", StringComparison.Ordinal);

    [OneTimeSetUp]
    public void BuildPlugins() => PluginAssets.OutputOf("HtpasswdAuth");

    [Test]
    public async Task Good_and_bad_passwords_then_a_reload_with_a_changed_file()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "HtpasswdAuth");
        var users = dir.Write("users.htpasswd", $"# users\nalice:{AliceHash}\nbob:plain-bob\n");
        var port = FreePorts.Take();
        var conf = dir.Write("htpasswd.conf", $"host: 127.0.0.1\nport: {port}\nhtpasswd {{ file: \"{users}\" }}\n");

        using var host = HostProcess.Start(dir.Path, "-c", conf, "--plugins_dir", "plugins");
        await host.WaitForLogAsync("Server is ready");
        Assert.That(host.StandardError, Does.Contain($"Loaded plugin htpasswd 1.2.0 from {dir.File("plugins/HtpasswdAuth")}"));
        Assert.That(host.StandardError, Does.Not.Contain("unknown field"), "the plugin binds htpasswd {}");

        Assert.Multiple(async () =>
        {
            Assert.That(await RawClient.TryLoginAsync(port, "alice", "wonderland"), Is.EqualTo("PONG"));
            Assert.That(await RawClient.TryLoginAsync(port, "alice", "wrong"), Is.EqualTo("-ERR 'Authorization Violation'"));
            Assert.That(await RawClient.TryLoginAsync(port, "bob", "plain-bob"), Is.EqualTo("PONG"));
            Assert.That(await RawClient.TryLoginAsync(port, "carol", "plain-bob"), Is.EqualTo("-ERR 'Authorization Violation'"));
            Assert.That(await RawClient.TryLoginAsync(port, null, null), Is.EqualTo("-ERR 'Authorization Violation'"));
        });
        await using var bob = await RawClient.ConnectAndFlushAsync(port, RawClient.UserConnect("bob", "plain-bob"));

        // SIGHUP re-reads the file: alice's new password works, the old one doesn't, and bob,
        // removed, is disconnected.
        File.WriteAllText(users, $"alice:{Bcrypt.Hash("looking-glass", 4).Replace("$2a$", "$2b$", StringComparison.Ordinal)}\n");
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Reloaded server configuration: htpasswd");
        Assert.That(await RawClient.TryLoginAsync(port, "alice", "looking-glass"), Is.EqualTo("PONG"));
        Assert.That(await RawClient.TryLoginAsync(port, "alice", "wonderland"), Is.EqualTo("-ERR 'Authorization Violation'"));
        await bob.ExpectAsync("-ERR 'Authorization Violation'");

        // A reload that can't read the file is rejected, naming the option; nothing changes.
        File.Delete(users);
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Failed to reload server configuration: htpasswd: ");
        Assert.That(host.StandardError, Does.Contain($"htpasswd.file: cannot read \"{users}\""));
        Assert.That(await RawClient.TryLoginAsync(port, "alice", "looking-glass"), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task The_access_file_binds_users_to_accounts_and_permissions_and_status_is_served()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "HtpasswdAuth");
        var users = dir.Write("users.htpasswd", "carol:carol-pw\nadmin:admin-pw\n");
        var access = dir.Write("access.json", """
            { "carol": { "account": "ORDERS", "permissions": { "publish": ["orders.>"], "subscribe": { "allow": ["orders.>"] } } } }
            """);
        var (port, http) = (FreePorts.Take(), FreePorts.Take());
        var conf = dir.Write("access.conf", $$"""
            host: 127.0.0.1
            port: {{port}}
            http_port: {{http}}
            accounts { ORDERS { users: [] } }
            htpasswd {
              file: "{{users}}"
              access: "{{access}}"
              status_subject: "htpasswd.status"
            }
            """);

        using var host = HostProcess.Start(dir.Path, "-c", conf, "--plugins_dir", "plugins");
        await host.WaitForLogAsync("Server is ready");

        await using var carol = await RawClient.ConnectAndFlushAsync(port, RawClient.UserConnect("carol", "carol-pw"));
        await carol.SendAsync("SUB orders.new 1\r\nPUB other 2\r\nhi\r\nPUB orders.new 2\r\nok\r\n");
        await carol.ExpectAsync("-ERR 'Permissions Violation for Publish to \"other\"'\r\n");
        await carol.ExpectAsync("MSG orders.new 1 2\r\nok\r\n");

        using var web = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var connz = await web.GetStringAsync($"http://127.0.0.1:{http}/connz?auth=true");
        Assert.That(connz, Does.Contain("\"authorized_user\": \"carol\"").And.Contain("\"account\": \"ORDERS\""));
        Assert.That(await web.GetStringAsync($"http://127.0.0.1:{http}/htpasswdz"), Does.Contain("\"users\": 2"));

        // The status subject is answered by the plugin over its in-process connection (Newtonsoft JSON).
        await using var admin = await RawClient.ConnectAndFlushAsync(port, RawClient.UserConnect("admin", "admin-pw"));
        await admin.SendAsync("SUB _INBOX.status 7\r\nPUB htpasswd.status _INBOX.status 0\r\n\r\n");
        await admin.ExpectAsync("MSG _INBOX.status 7");
        var body = await admin.ExpectAsync("}\r\n");
        Assert.That(body, Does.Contain("\"users\":2").And.Contain("\"version\":\"1.2.0\"").And.Contain(access.Replace("\\", "\\\\")));
    }

    [Test]
    public async Task A_missing_users_file_stops_the_host_naming_the_plugin_and_the_option()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "HtpasswdAuth");
        var conf = dir.Write("missing.conf", $"host: 127.0.0.1\nport: {FreePorts.Take()}\nhtpasswd {{ file: \"{dir.File("nope")}\" }}\n");

        using var host = await HostProcess.RunAsync(dir.Path, "-c", conf, "--plugins_dir", "plugins");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain("nats-server: plugin \"htpasswd\": ").And.Contain($"missing.conf:3:12: htpasswd.file: cannot read \"{dir.File("nope")}\""));
    }

    [Test]
    public async Task Config_check_knows_the_plugin_section_and_runs_its_checks()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "HtpasswdAuth");
        var users = dir.Write("users.htpasswd", "alice:x\n");
        var conf = dir.Write("check.conf", $"port: 4222\nhtpasswd {{ file: \"{users}\" }}\n");

        using (var withoutPlugins = await HostProcess.RunAsync(dir.Path, "-t", "-c", conf))
        {
            Assert.That(await withoutPlugins.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(withoutPlugins.StandardError, Does.Contain("unknown field \"htpasswd\""));
        }
        using (var withPlugins = await HostProcess.RunAsync(dir.Path, "-t", "-c", conf, "--plugins_dir", "plugins"))
        {
            Assert.That(await withPlugins.WaitForExitAsync(), Is.EqualTo(0), withPlugins.StandardError);
            Assert.That(withPlugins.StandardError, Does.Contain("is valid"));
        }
        File.Delete(users);
        using var broken = await HostProcess.RunAsync(dir.Path, "-t", "-c", conf, "--plugins_dir", "plugins");
        Assert.That(await broken.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(broken.StandardError, Does.Contain("nats-server: plugin \"htpasswd\": ").And.Contain("htpasswd.file: cannot read"));
    }

    [Test]
    public async Task The_official_nats_js_client_authenticates_through_the_plugin()
    {
        var js = Path.Combine(Repository.Root, "tests", "Nats.Interop.Tests", "js");
        if (!Directory.Exists(Path.Combine(js, "node_modules", "nats")))
        {
            Assert.Ignore($"nats.js is not installed: run npm ci in {js} (the interop tests do)");
        }
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "HtpasswdAuth");
        var users = dir.Write("users.htpasswd", $"alice:{AliceHash}\n");
        var port = FreePorts.Take();
        var conf = dir.Write("js.conf", $"host: 127.0.0.1\nport: {port}\nhtpasswd {{ file: \"{users}\" }}\n");
        using var host = HostProcess.Start(dir.Path, "-c", conf, "--plugins_dir", "plugins");
        await host.WaitForLogAsync("Server is ready");

        var result = RunNode(js, "run.mjs", "auth", "mode=user", "user=alice", "pass=wonderland", "bad_pass=wrong", $"servers=nats://127.0.0.1:{port}", "timeout_ms=20000");

        Assert.That(result, Does.Contain("\"ok\":true").And.Contain("\"good_roundtrip\":true"));
        Assert.That(result, Does.Contain("\"bad_error\":\"").And.Contain("Authorization Violation"));
    }

    private static string RunNode(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Ignore("node is not installed");
            throw;
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                Assert.Fail("nats.js did not finish in time");
            }
            return output.Result.TrimEnd().Split('\n').Last();
        }
    }
}
