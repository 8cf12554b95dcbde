using System.Text.Json;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;
using Nats.TestSupport;

namespace Nats.WebSocket.Tests;

/// <summary>The plugin in a real in-process server: binding, start, reload and /varz.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class PluginTests
{
    private static ServerOptions Options(string config) => TestConfig.Options(config, "ws.conf");

    private static JsonElement WebSocketVarz(NatsServer server)
    {
        var body = MonitoringServer.Serialize(server.Monitoring.Invoke("/varz"));
        return JsonDocument.Parse(body).RootElement.GetProperty("websocket");
    }

    [Test]
    public async Task Without_a_section_the_server_runs_and_varz_shows_an_empty_block()
    {
        await using var server = new NatsServer(Options("port: 4222"));
        server.AddPlugin(new WebSocketPlugin());
        await server.StartAsync();
        Assert.That(WebSocketVarz(server).GetRawText(), Is.EqualTo("{}"));
    }

    [Test]
    public async Task With_a_port_the_plugin_listens_and_varz_shows_the_port_bound()
    {
        await using var server = new NatsServer(Options("websocket { port: -1, host: 127.0.0.1, no_tls: true }"));
        var plugin = new WebSocketPlugin();
        server.AddPlugin(plugin);
        await server.StartAsync();
        Assert.That(plugin.Port, Is.GreaterThan(0));
        var varz = WebSocketVarz(server);
        Assert.That((varz.GetProperty("host").GetString(), varz.GetProperty("port").GetInt32(), varz.GetProperty("no_tls").GetBoolean()),
            Is.EqualTo(("127.0.0.1", plugin.Port, true)));
        await using var client = await RawWebSocket.ConnectAsync(plugin.Port);
    }

    [Test]
    public void A_bad_section_stops_configuration_with_its_position()
    {
        var server = new NatsServer(Options("websocket {\n  port: -1\n}"));
        var error = Assert.Throws<PluginException>(() => server.AddPlugin(new WebSocketPlugin()))!;
        Assert.That(error.Message, Does.Contain("ws.conf:1:11: websocket requires TLS configuration"));
    }

    [Test]
    public void A_certificate_that_does_not_load_stops_configuration()
    {
        using var cert = new SelfSignedCertificate();
        var server = new NatsServer(Options($"websocket {{ port: -1, tls {{ cert_file: \"{cert.CertPath}\", key_file: \"{cert.Dir}/missing.pem\" }} }}"));
        Assert.Throws<PluginException>(() => server.AddPlugin(new WebSocketPlugin()));
    }

    [Test]
    public void Reload_takes_a_new_certificate_and_refuses_other_changes_naming_them()
    {
        using var first = new SelfSignedCertificate();
        using var second = new SelfSignedCertificate("CN=second");
        string Config(SelfSignedCertificate cert, int port) =>
            $"websocket {{ port: {port}, compression: true, tls {{ cert_file: \"{cert.CertPath}\", key_file: \"{cert.KeyPath}\" }} }}";
        var server = new NatsServer(Options(Config(first, 8443)));
        var plugin = new WebSocketPlugin();
        server.AddPlugin(plugin);

        var refused = server.Reload(Options(Config(second, 8444)));
        Assert.That(refused.Success, Is.False);
        Assert.That(refused.Errors, Has.Some.Contains("websocket.port: old=8443, new=8444"));
        Assert.That(plugin.Options.Tls!.CertFile, Is.EqualTo(first.CertPath), "nothing changed");

        var tlsOff = server.Reload(Options("websocket { port: 8443, compression: true, no_tls: true }"));
        Assert.That(tlsOff.Errors, Has.Some.Contains("websocket.tls: turning TLS on or off needs a restart"));

        var accepted = server.Reload(Options(Config(second, 8443)));
        Assert.That(accepted.Success, Is.True, string.Join("; ", accepted.Errors));
        Assert.That(plugin.Options.Tls!.CertFile, Is.EqualTo(second.CertPath));
        Assert.That(plugin.Policy.Options.Tls!.CertFile, Is.EqualTo(second.CertPath));
    }

    /// <summary>The same block given to nats-server 2.9.10 and to us: the /varz websocket sections match.</summary>
    [Test]
    public async Task The_varz_block_matches_nats_servers()
    {
        var ports = FreePorts.Take(3);
        const string block = """
              no_tls: true
              compression: true
              same_origin: true
              allowed_origins: ["http://a.example", "https://b.example"]
              handshake_timeout: "3s"
              advertise: "ws.example:443"
              authorization { timeout: 2.5 }
            """;
        await using var reference = await ReferenceServer.StartAsync(
            $"port: {ports[0]}\nhttp_port: {ports[2]}\nwebsocket {{\n  port: {ports[1]}\n  host: 127.0.0.1\n{block}\n}}\n", ports[2]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var theirs = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{ports[2]}/varz")).RootElement.GetProperty("websocket");

        // Ours cannot start with a port yet (no listener): serialize the block the contributor sets, as /varz does.
        var server = new NatsServer(Options($"websocket {{\n  port: {ports[1]}\n  host: 127.0.0.1\n{block}\n}}\n"));
        var plugin = new WebSocketPlugin();
        server.AddPlugin(plugin);
        var ours = JsonDocument.Parse(JsonSerializer.Serialize(Nats.WebSocket.WebSocketVarz.From(plugin.Options), MonitoringJson.Indented)).RootElement;
        Assert.That(Normalize(ours), Is.EqualTo(Normalize(theirs)));
    }

    private static string Normalize(JsonElement element) =>
        string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={JsonSerializer.Serialize(p.Value)}"));
}
