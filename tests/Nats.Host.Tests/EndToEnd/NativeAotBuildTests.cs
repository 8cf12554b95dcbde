using System.Net.Http;
using Nats.Host.Signals;
using Nats.Host.Tests.Plugins;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The native build (<c>build/publish.sh --aot</c>, issue 16): one executable with the stock plugins
/// but MQTT linked in serves clients, the JetStream API and every monitoring endpoint (their JSON
/// from source-generated metadata), and refuses what it cannot do (a plugin folder, a plugin it
/// was built without).
/// </summary>
/// <remarks>
/// Opt-in: runs only with <c>NATS_TEST_AOT=1</c>. The native compile takes 5–10 minutes of a
/// 2-core machine (and needs the ILCompiler package from NuGet), too much for every CI run; run
/// it when the build, the kernel's reflection or the plugins' registration change.
/// </remarks>
[TestFixture]
[NonParallelizable]
[CancelAfter(1_800_000)]
public sealed class NativeAotBuildTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(25);

    // Every stock plugin but MQTT, which stays out to check the refusal of a plugin not linked in.
    private const string LinkedPlugins = "JetStream,Gateway,Leafnode,WebSocket,Auth.JWT";
    private TempDirectory _dir = null!;
    private string _executable = null!;

    [OneTimeSetUp]
    public void PublishNative()
    {
        if (Environment.GetEnvironmentVariable("NATS_TEST_AOT") != "1")
        {
            Assert.Ignore("the native build takes minutes: set NATS_TEST_AOT=1 to run it");
        }
        _dir = new TempDirectory();
        var output = _dir.File("native");
        DotnetCommand.Run(Path.Combine(Repository.Root, "build", "publish.sh"),
            ["--aot", "--plugins", LinkedPlugins, "--out", output], _dir.Path, BuildTimeout);
        _executable = Path.Combine(output, "nats-server");
        Assert.That(File.Exists(_executable), Is.True, "one native executable");
        Assert.That(Directory.Exists(Path.Combine(output, "plugins")), Is.False, "no plugin folders");
        Assert.That(Directory.GetFiles(output, "*.dll"), Is.Empty, "no managed assemblies beside it");
    }

    [OneTimeTearDown]
    public void Clean() => _dir?.Dispose();

    [Test]
    public async Task Native_server_serves_clients_JetStream_and_connz()
    {
        var port = FreePorts.Take();
        var http = FreePorts.Take();
        using var host = HostProcess.StartExecutable(_executable, _dir.Path,
            "-a", "127.0.0.1", "-p", $"{port}", "-m", $"{http}", "-js", "-sd", _dir.File("store"));
        await host.WaitForLogAsync("Server is ready");
        Assert.That(host.StandardError, Does.Contain("Loaded plugin jetstream").And.Contain("linked in"));

        await using var client = await RawClient.ConnectAndFlushAsync(port, RawClient.UserConnect("any", "any"));
        await client.SendAsync("SUB greet 1\r\nPUB greet 5\r\nhello\r\n");
        await client.ExpectAsync("MSG greet 1 5\r\nhello\r\n");
        await client.SendAsync("SUB reply.1 2\r\nPUB $JS.API.INFO reply.1 0\r\n\r\n");
        await client.ExpectAsync("MSG reply.1 2");
        await client.ExpectAsync("io.nats.jetstream.api.v1.account_info_response");

        using var web = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var connz = await web.GetStringAsync($"http://127.0.0.1:{http}/connz");
        Assert.That(connz, Does.Contain("\"server_id\"").And.Contain("\"num_connections\": 1"));
        var subsz = await web.GetStringAsync($"http://127.0.0.1:{http}/subsz");
        Assert.That(subsz, Does.Contain("\"num_subscriptions\""));

        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Native_server_answers_every_monitoring_endpoint_with_json()
    {
        var ports = FreePorts.Take(8);
        var (port, http, cluster, gateway, leaf, ws) = (ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]);
        var hubConf = _dir.Write("hub.conf", $$"""
            server_name: hub
            listen: 127.0.0.1:{{port}}
            http: 127.0.0.1:{{http}}
            jetstream { store_dir: "{{_dir.File("hub-store")}}" }
            cluster { name: c1, listen: 127.0.0.1:{{cluster}} }
            gateway { name: c1, listen: 127.0.0.1:{{gateway}} }
            leafnodes { listen: 127.0.0.1:{{leaf}} }
            websocket { listen: 127.0.0.1:{{ws}}, no_tls: true }
            """);
        // A second server makes a route and a leaf link, so /routez and /leafz list one each.
        var spokeConf = _dir.Write("spoke.conf", $$"""
            server_name: spoke
            listen: 127.0.0.1:{{ports[6]}}
            cluster { name: c1, listen: 127.0.0.1:{{ports[7]}}, routes: ["nats://127.0.0.1:{{cluster}}"] }
            leafnodes { remotes: [{ url: "nats://127.0.0.1:{{leaf}}" }] }
            """);
        using var hub = HostProcess.StartExecutable(_executable, _dir.Path, "-c", hubConf);
        await hub.WaitForLogAsync("Server is ready");
        using var spoke = HostProcess.StartExecutable(_executable, _dir.Path, "-c", spokeConf);
        await spoke.WaitForLogAsync("Server is ready");
        await using var client = await RawClient.ConnectAndFlushAsync(port, RawClient.UserConnect("any", "any"));
        await client.SendAsync("SUB greet 1\r\nSUB reply.1 2\r\nPUB $JS.API.STREAM.CREATE.S reply.1 31\r\n{\"name\":\"S\",\"subjects\":[\"s.>\"]}\r\n");
        await client.ExpectAsync("MSG reply.1 2");

        using var web = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var root = await web.GetStringAsync($"http://127.0.0.1:{http}/");
        string[] paths =
        [
            "/varz", "/connz", "/connz?subs=detail&auth=true", "/connz?state=all", "/routez", "/routez?subs=detail",
            "/gatewayz", "/gatewayz?accs=1", "/leafz", "/leafz?subs=1", "/subsz", "/subsz?subs=1", "/subscriptionsz",
            "/accountz", "/accountz?acc=$G", "/accstatz", "/accstatz?unused=1", "/jsz",
            "/jsz?accounts=true&streams=true&consumers=true&config=true", "/healthz", "/healthz?details=true&js-enabled-only=true",
        ];
        foreach (var link in System.Text.RegularExpressions.Regex.Matches(root, "<span class=\"endpoint\"> ([^<]+)</span>").Select(m => m.Groups[1].Value))
        {
            Assert.That(paths, Does.Contain(link), "the root page lists an endpoint this test does not call");
        }
        await Eventually.TrueAsync(async () => (await web.GetStringAsync($"http://127.0.0.1:{http}/routez")).Contains("\"num_routes\": 1", StringComparison.Ordinal), "the spoke's route", TimeSpan.FromSeconds(20));
        foreach (var path in paths)
        {
            using var response = await web.GetAsync($"http://127.0.0.1:{http}{path}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(200), $"{path}: {body}");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), path);
            using var json = System.Text.Json.JsonDocument.Parse(body);
            Assert.That(json.RootElement.ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Object), path);
        }
        var varz = await web.GetStringAsync($"http://127.0.0.1:{http}/varz");
        Assert.That(varz, Does.Contain("\"jetstream\": {").And.Contain("\"no_tls\": true"));
        Assert.That(await web.GetStringAsync($"http://127.0.0.1:{http}/metrics"), Does.Contain("gnatsd_varz_connections"));
        Assert.That(hub.StandardError, Does.Not.Contain("Error writing monitoring response"));

        spoke.Signal(UnixSignal.Terminate);
        hub.Signal(UnixSignal.Terminate);
        Assert.That(await spoke.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(await hub.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Native_server_answers_system_requests_and_reloads_its_config()
    {
        // No reflection-based JSON in a native build: $SYS answers and events, and the comparison
        // of options and account definitions on reload, all come from compile-time metadata.
        var port = FreePorts.Take();
        string Config(string extra) => $$"""
            listen: 127.0.0.1:{{port}}
            system_account: SYS
            accounts {
              SYS { users: [{user: sys, password: sys}] }
              A { users: [{user: a, password: a}] }
              {{extra}}
            }
            """;
        var conf = _dir.Write("sys.conf", Config(""));
        using var host = HostProcess.StartExecutable(_executable, _dir.Path, "-c", conf);
        await host.WaitForLogAsync("Server is ready");

        await using var sys = await RawClient.ConnectAndFlushAsync(port, RawClient.UserConnect("sys", "sys"));
        await sys.SendAsync("SUB r 2\r\nPUB $SYS.REQ.SERVER.PING.VARZ r 0\r\n\r\n");
        await sys.ExpectAsync("MSG r 2");
        await sys.ExpectAsync("\"server_id\"");
        await sys.SendAsync("PUB $SYS.REQ.ACCOUNT.A.INFO r 0\r\n\r\n");
        await sys.ExpectAsync("\"account_name\":\"A\"");
        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING.STATSZ r 0\r\n\r\n");
        await sys.ExpectAsync("\"statsz\":{");
        await using var user = await RawClient.ConnectAndFlushAsync(port, RawClient.UserConnect("a", "a"));
        await user.SendAsync("SUB u 1\r\nPUB $SYS.REQ.USER.INFO u 0\r\n\r\n");
        await user.ExpectAsync("\"user\":\"a\"");

        File.WriteAllText(conf, Config("B { users: [{user: b, password: b}] }") + "\ndebug: true\n");
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Reloaded server configuration");
        Assert.That(await RawClient.TryLoginAsync(port, "b", "b"), Is.EqualTo("PONG"));
        Assert.That(host.StandardError, Does.Not.Contain("NotSupportedException").And.Not.Contain("Error writing"));

        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Native_server_refuses_a_plugins_directory()
    {
        using var host = HostProcess.StartExecutable(_executable, _dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", _dir.Path);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain("native build, which cannot load plugin folders"));
    }

    [Test]
    public async Task Native_server_refuses_a_plugin_it_was_built_without()
    {
        var conf = _dir.Write("mqtt.conf", $"listen: 127.0.0.1:{FreePorts.Take()}\nplugins {{ load: [jetstream, mqtt] }}\n");
        using var host = HostProcess.StartExecutable(_executable, _dir.Path, "-c", conf);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain("mqtt").And.Contain("not linked into this native build"));
    }
}
