using System.Net.Sockets;
using System.Text;
using MQTTnet;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.JetStream.Server;
using Nats.WebSocket;
using NATS.Client.Core;
using NATS.Net;

namespace Nats.Mqtt.Tests;

/// <summary>
/// MQTT over WebSocket: the WebSocket plugin hands <c>/mqtt</c> upgrades to the MQTT plugin
/// through the kernel's stream acceptors; without <c>mqtt {}</c> the path is answered 404.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class WebSocketTests
{
    private static async Task<(NatsServer Server, WebSocketPlugin WebSocket, string Dir)> StartAsync(bool mqtt)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mqtt-ws-" + Guid.NewGuid().ToString("N"));
        var config = $"server_name: mqtt_ws\njetstream {{ store_dir: \"{dir}\" }}\nwebsocket {{ host: 127.0.0.1, port: -1, no_tls: true }}\n"
            + (mqtt ? "mqtt { host: 127.0.0.1, port: -1 }\n" : "");
        var options = ServerOptionsBinder.Bind(ConfParser.ParseString(config, "mqtt-ws.conf")).Options;
        options.Host = "127.0.0.1";
        options.Port = -1;
        var server = new NatsServer(options);
        server.AddPlugin(new JetStreamPlugin());
        server.AddPlugin(new MqttPlugin());
        var webSocket = new WebSocketPlugin();
        server.AddPlugin(webSocket);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await server.StartAsync(cts.Token);
        return (server, webSocket, dir);
    }

    private static async Task StopAsync(NatsServer server, string dir)
    {
        await server.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await server.DisposeAsync();
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task An_MQTT_client_over_ws_exchanges_messages_with_NATS()
    {
        var (server, webSocket, dir) = await StartAsync(mqtt: true);
        try
        {
            var mqtt = new MqttClientFactory().CreateMqttClient();
            using var _ = mqtt;
            var options = new MqttClientOptionsBuilder()
                .WithWebSocketServer(o => o.WithUri($"ws://127.0.0.1:{webSocket.Port}/mqtt"))
                .WithClientId("ws-client")
                .WithCleanSession()
                .WithTimeout(TimeSpan.FromSeconds(10))
                .Build();
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await mqtt.ConnectAsync(options, cts.Token);
            }
            var received = new Received(mqtt);
            await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("ws/in").Build());

            await using var nats = new NatsClient(new NatsOpts { Url = $"nats://127.0.0.1:{server.Port}" });
            await using var sub = await nats.Connection.SubscribeCoreAsync<string>("ws.out");
            await nats.PingAsync();

            await nats.PublishAsync("ws.in", Encoding.UTF8.GetBytes("to mqtt"));
            var message = await received.NextAsync();
            Assert.That((message.Topic, message.ConvertPayloadToString()), Is.EqualTo(("ws/in", "to mqtt")));

            await mqtt.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("ws/out").WithPayload("from mqtt").Build());
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var msg = await sub.Msgs.ReadAsync(wait.Token);
            Assert.That(msg.Data, Is.EqualTo("from mqtt"));
        }
        finally
        {
            await StopAsync(server, dir);
        }
    }

    [Test]
    public async Task Without_mqtt_the_mqtt_path_is_answered_404_as_nats_server_does()
    {
        var (server, webSocket, dir) = await StartAsync(mqtt: false);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", webSocket.Port);
            var stream = client.GetStream();
            var request = $"GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:{webSocket.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            var buffer = new byte[1024];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var n = await stream.ReadAsync(buffer, cts.Token);
            Assert.That(Encoding.ASCII.GetString(buffer, 0, n), Does.StartWith("HTTP/1.1 404"));
        }
        finally
        {
            await StopAsync(server, dir);
        }
    }
}
