using MQTTnet;
using MQTTnet.Formatter;
using Nats.Core;
using Nats.JetStream.Server;
using NATS.Client.Core;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.Mqtt.Tests;

/// <summary>
/// A real server (kernel + JetStream + MQTT plugins) on random ports over a temporary store
/// directory, restartable on the same directory; deleted when disposed. Its log (across restarts)
/// goes to the test's output when it is disposed, which the runner shows for a failed test.
/// </summary>
internal sealed class MqttServer : IAsyncDisposable
{
    private const int LoggedLines = 300;

    private readonly string _config;
    private readonly ListLoggerProvider _log = new(Microsoft.Extensions.Logging.LogLevel.Debug);
    private readonly Microsoft.Extensions.Logging.ILoggerFactory _logs;

    private MqttServer(string storeDir, string config)
    {
        StoreDir = storeDir;
        _config = config;
        _logs = _log.CreateFactory();
    }

    public string StoreDir { get; }

    public NatsServer Server { get; private set; } = null!;

    public MqttPlugin Plugin { get; private set; } = null!;

    public int MqttPort { get; private set; }

    public string NatsUrl => $"nats://127.0.0.1:{Server.Port}";

    /// <summary>Starts a server with JetStream and <c>mqtt { <paramref name="mqttBlock"/> }</c> plus <paramref name="extraConfig"/>.</summary>
    public static async Task<MqttServer> StartAsync(string extraConfig = "", string mqttBlock = "")
    {
        var dir = Path.Combine(Path.GetTempPath(), "mqtt-test-" + Guid.NewGuid().ToString("N"));
        var config = $"server_name: mqtt_test\njetstream {{ store_dir: \"{dir}\" }}\n{extraConfig}\nmqtt {{\n host: 127.0.0.1\n port: -1\n {mqttBlock}\n}}\n";
        var server = new MqttServer(dir, config);
        await server.BootAsync();
        return server;
    }

    /// <summary>
    /// Starts a server named <paramref name="name"/> with JetStream and MQTT in a cluster: its
    /// routes on <paramref name="clusterPort"/>, a route to <paramref name="routePort"/>.
    /// </summary>
    public static async Task<MqttServer> StartClusteredAsync(string name, int clusterPort, int routePort)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mqtt-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var config = $"server_name: {name}\n" +
            $"jetstream {{ store_dir: \"{dir}\" }}\n" +
            $"cluster {{ name: mqtt_cluster, listen: 127.0.0.1:{clusterPort}, routes: [nats-route://127.0.0.1:{routePort}] }}\n" +
            "mqtt {\n host: 127.0.0.1\n port: -1\n}\n";
        var server = new MqttServer(dir, config);
        await server.BootAsync();
        return server;
    }

    private async Task BootAsync()
    {
        Server = new NatsServer(TestConfig.Options(_config, "mqtt.conf"), _logs);
        Server.AddPlugin(new JetStreamPlugin());
        Plugin = new MqttPlugin();
        Server.AddPlugin(Plugin);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Server.StartAsync(cts.Token);
        MqttPort = Plugin.Port;
    }

    /// <summary>Shuts the server down and starts a new one on the same store directory (new ports).</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await BootAsync();
    }

    public NatsClient Nats(string? user = null, string? password = null) => new(new NatsOpts
    {
        Url = NatsUrl,
        AuthOpts = user is null ? NatsAuthOpts.Default : new NatsAuthOpts { Username = user, Password = password },
        RequestTimeout = TimeSpan.FromSeconds(10),
        CommandTimeout = TimeSpan.FromSeconds(10),
    });

    public MqttClientOptionsBuilder Options(string clientId, MqttProtocolVersion version = MqttProtocolVersion.V311) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", MqttPort)
            .WithClientId(clientId)
            .WithProtocolVersion(version)
            .WithTimeout(TimeSpan.FromSeconds(10));

    /// <summary>Connects an MQTTnet client (clean session unless the builder says otherwise).</summary>
    public async Task<IMqttClient> ConnectAsync(string clientId, MqttProtocolVersion version = MqttProtocolVersion.V311, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var builder = Options(clientId, version).WithCleanSession();
        configure?.Invoke(builder);
        var client = new MqttClientFactory().CreateMqttClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(builder.Build(), cts.Token);
        return client;
    }

    /// <summary>
    /// Connects and returns the CONNACK's result (session present, reason) and a
    /// <see cref="Received"/> attached before CONNECT goes out: a resumed session's queued messages may arrive right behind the CONNACK, before a
    /// handler attached afterwards would see them.
    /// </summary>
    public async Task<(IMqttClient Client, MqttClientConnectResult Result, Received Received)> ConnectWithResultAsync(string clientId, MqttProtocolVersion version, Action<MqttClientOptionsBuilder> configure)
    {
        var builder = Options(clientId, version);
        configure(builder);
        var client = new MqttClientFactory().CreateMqttClient();
        var received = new Received(client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await client.ConnectAsync(builder.Build(), cts.Token);
        return (client, result, received);
    }

    /// <summary>A persistent session: MQTT 3.1.1 clean session 0, MQTT 5 no clean start and an hour of session expiry.</summary>
    public static void Persistent(MqttClientOptionsBuilder builder, MqttProtocolVersion version)
    {
        if (version == MqttProtocolVersion.V500)
        {
            builder.WithCleanStart(false).WithSessionExpiryInterval(3600);
        }
        else
        {
            builder.WithCleanSession(false);
        }
    }

    private Task StopAsync() => TestServer.StopAsync(Server, TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _logs.Dispose();
        var lines = _log.Texts;
        TestContext.Out.WriteLine($"--- server log ({Math.Min(lines.Count, LoggedLines)} of {lines.Count} lines) ---");
        foreach (var line in lines.Skip(Math.Max(0, lines.Count - LoggedLines)))
        {
            TestContext.Out.WriteLine(line);
        }
        try
        {
            Directory.Delete(StoreDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
