using MQTTnet.Formatter;
using NATS.Client.Core;
using NATS.Net;

namespace Nats.Mqtt.Tests;

/// <summary>MQTT.js (npm <c>mqtt</c>) as MQTT 3.1.1 and MQTT 5 peer, both directions with NATS clients (and with MQTTnet).</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class MqttJsTests
{
    [TestCase(4, 0)]
    [TestCase(4, 1)]
    [TestCase(5, 0)]
    [TestCase(5, 1)]
    public async Task MQTT_js_publishes_reach_a_NATS_subscriber(int version, int qos)
    {
        await MqttJs.RequireAsync();
        await using var server = await MqttServer.StartAsync();
        await using var nats = server.Nats();
        await using var sub = await nats.Connection.SubscribeCoreAsync<string>("js.pub.>");
        await nats.Connection.PingAsync();
        using var pub = MqttJs.Run("pub", new { port = server.MqttPort, version, clientId = $"js-pub-{version}-{qos}", topic = "js/pub/x", qos, count = 3 });
        Assert.That((int)(await pub.ReadyAsync())["done"]!, Is.EqualTo(3));
        Assert.That(await pub.ExitAsync(), Is.Zero);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 3; i++)
        {
            var message = await sub.Msgs.ReadAsync(cts.Token);
            Assert.That((message.Subject, message.Data), Is.EqualTo(("js.pub.x", $"payload-{i}")));
        }
    }

    [TestCase(4, 0)]
    [TestCase(4, 1)]
    [TestCase(5, 0)]
    [TestCase(5, 1)]
    public async Task MQTT_js_receives_NATS_publishes(int version, int qos)
    {
        await MqttJs.RequireAsync();
        await using var server = await MqttServer.StartAsync();
        using var sub = MqttJs.Run("sub", new { port = server.MqttPort, version, clientId = $"js-sub-{version}-{qos}", topic = "js/sub/+", qos, count = 2 });
        var ready = await sub.ReadyAsync();
        Assert.That(ready["granted"]![0]!.GetValue<int>(), Is.EqualTo(qos));
        await using var nats = server.Nats();
        await nats.PublishAsync("js.sub.a", "one");
        await nats.PublishAsync("js.sub.b", "two");
        var first = await sub.NextAsync();
        var second = await sub.NextAsync();
        Assert.That(((string?)first["topic"], (string?)first["payload"]), Is.EqualTo(("js/sub/a", "one")));
        Assert.That(((string?)second["topic"], (string?)second["payload"]), Is.EqualTo(("js/sub/b", "two")));
        // Messages from NATS publishers come at QoS 0, as from nats-server.
        Assert.That((int)first["qos"]!, Is.Zero);
        Assert.That(await sub.ExitAsync(), Is.Zero);
    }

    [Test]
    public async Task MQTT_js_v5_user_properties_travel_as_NATS_headers_and_back()
    {
        await MqttJs.RequireAsync();
        await using var server = await MqttServer.StartAsync();
        await using var nats = server.Nats();
        await using var natsSub = await nats.Connection.SubscribeCoreAsync<string>("js.props");
        await nats.Connection.PingAsync();
        using (var pub = MqttJs.Run("pub", new { port = server.MqttPort, version = 5, clientId = "js-props-pub", topic = "js/props", qos = 1, count = 1, userProperties = new { tenant = "acme" } }))
        {
            await pub.ReadyAsync();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = await natsSub.Msgs.ReadAsync(cts.Token);
        Assert.That(seen.Headers?["tenant"].ToString(), Is.EqualTo("acme"));

        using var sub = MqttJs.Run("sub", new { port = server.MqttPort, version = 5, clientId = "js-props-sub", topic = "js/back", qos = 0, count = 1 });
        await sub.ReadyAsync();
        await nats.PublishAsync("js.back", "with-header", new NatsHeaders { ["origin"] = "nats" });
        var message = await sub.NextAsync();
        Assert.That((string?)message["userProperties"]?["origin"], Is.EqualTo("nats"));
    }

    [TestCase(4)]
    [TestCase(5)]
    public async Task A_persistent_MQTT_js_session_gets_the_QoS_1_messages_queued_while_it_was_away(int version)
    {
        await MqttJs.RequireAsync();
        await using var server = await MqttServer.StartAsync();
        var clientId = $"js-persist-{version}";
        using (var first = MqttJs.Run("sub", new { port = server.MqttPort, version, clientId, clean = false, sessionExpiry = 3600, topic = "js/queue", qos = 1, count = 0 }))
        {
            await first.ReadyAsync();
            Assert.That(await first.ExitAsync(), Is.Zero);
        }
        // Published by an MQTTnet client at QoS 1 while the MQTT.js client is away.
        using (var mqttnet = await server.ConnectAsync("js-persist-pub", version == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311))
        {
            await mqttnet.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic("js/queue").WithPayload("queued")
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }
        using var again = MqttJs.Run("sub", new { port = server.MqttPort, version, clientId, clean = false, sessionExpiry = 3600, topic = "js/queue", qos = 1, count = 1 });
        var connected = await again.NextAsync();
        Assert.That((bool?)connected["sessionPresent"], Is.True);
        var message = await again.NextMessageAsync();
        Assert.That(((string?)message["payload"], (int)message["qos"]!), Is.EqualTo(("queued", 1)));
    }
}
