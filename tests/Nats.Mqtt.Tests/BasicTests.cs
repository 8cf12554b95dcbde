using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NATS.Client.Core;
using NATS.Net;

namespace Nats.Mqtt.Tests;

/// <summary>CONNECT, SUBSCRIBE, PUBLISH QoS 0 both ways between MQTT (3.1.1 and 5) and NATS clients.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class BasicTests
{
    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task A_NATS_publish_reaches_an_MQTT_subscriber_with_the_mapped_topic(MqttProtocolVersion version)
    {
        await using var server = await MqttServer.StartAsync();
        using var mqtt = await server.ConnectAsync("sub1", version);
        var received = new Received(mqtt);
        await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("sensors/+/temp").Build());
        await using var nats = server.Nats();
        await nats.PublishAsync("sensors.kitchen.temp", Encoding.UTF8.GetBytes("21.5"));
        var message = await received.NextAsync();
        Assert.That(message.Topic, Is.EqualTo("sensors/kitchen/temp"));
        Assert.That(message.ConvertPayloadToString(), Is.EqualTo("21.5"));
        Assert.That(message.QualityOfServiceLevel, Is.EqualTo(MqttQualityOfServiceLevel.AtMostOnce));
        Assert.That(message.Retain, Is.False);
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task An_MQTT_publish_reaches_a_NATS_subscriber_with_the_MQTT_header(MqttProtocolVersion version)
    {
        await using var server = await MqttServer.StartAsync();
        await using var nats = server.Nats();
        await using var sub = await nats.Connection.SubscribeCoreAsync<string>("a.>");
        await nats.PingAsync();
        using var mqtt = await server.ConnectAsync("pub1", version);
        await mqtt.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("a/b.c/d").WithPayload("hello").Build());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var msg = await sub.Msgs.ReadAsync(cts.Token);
        // A '.' in a topic is '//' in the subject (nats-server's mapping).
        Assert.That(msg.Subject, Is.EqualTo("a.b//c.d"));
        Assert.That(msg.Data, Is.EqualTo("hello"));
        Assert.That(msg.Headers?["Nmqtt-Pub"].ToString(), Is.EqualTo("0"));
    }

    /// <summary>
    /// An MQTT publish goes through the kernel as a client's does, so the account's subject
    /// mappings apply to it (nats-server maps in the parser for every client, MQTT ones included).
    /// </summary>
    [Test]
    public async Task An_MQTT_publish_goes_through_the_accounts_subject_mappings()
    {
        await using var server = await MqttServer.StartAsync(extraConfig: "mappings { \"in.*\": \"mapped.$1\" }");
        await using var nats = server.Nats();
        await using var sub = await nats.Connection.SubscribeCoreAsync<string>(">");
        await nats.PingAsync();
        using var mqttSub = await server.ConnectAsync("mapped-sub");
        var received = new Received(mqttSub);
        await mqttSub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("mapped/#").Build());
        using var mqtt = await server.ConnectAsync("mapped-pub");
        await mqtt.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("in/x").WithPayload("up").Build());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        NatsMsg<string> msg;
        do
        {
            msg = await sub.Msgs.ReadAsync(cts.Token);
        }
        while (msg.Subject.StartsWith('$'));
        Assert.That(msg.Subject, Is.EqualTo("mapped.x"), "the NATS subscriber sees the mapped subject, never the source");
        Assert.That(msg.Data, Is.EqualTo("up"));
        var message = await received.NextAsync();
        Assert.That(message.Topic, Is.EqualTo("mapped/x"));
    }

    [Test]
    public async Task MQTT_clients_exchange_messages_and_wildcards_match_as_MQTT_says()
    {
        await using var server = await MqttServer.StartAsync();
        using var sub = await server.ConnectAsync("sub");
        var received = new Received(sub);
        await sub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("home/#").Build());
        using var pub = await server.ConnectAsync("pub", MqttProtocolVersion.V500);
        foreach (var topic in new[] { "home", "home/a", "home/a/b", "other/x" })
        {
            await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(topic).Build());
        }
        // "home/#" also matches "home" itself [MQTT-4.7.1-2].
        var topics = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            topics.Add((await received.NextAsync()).Topic);
        }
        Assert.That(topics, Is.EquivalentTo(new[] { "home", "home/a", "home/a/b" }));
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), Is.True);
    }

    [Test]
    public async Task Unsubscribe_stops_deliveries_and_ping_is_answered()
    {
        await using var server = await MqttServer.StartAsync();
        using var mqtt = await server.ConnectAsync("c1");
        var received = new Received(mqtt);
        await mqtt.SubscribeAsync("x/y");
        await using var nats = server.Nats();
        await nats.PublishAsync("x.y", "1");
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("1"));
        await mqtt.UnsubscribeAsync("x/y");
        await nats.PublishAsync("x.y", "2");
        await mqtt.PingAsync();
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), Is.True);
    }

    [Test]
    public async Task Wildcard_filters_do_not_match_dollar_topics()
    {
        await using var server = await MqttServer.StartAsync();
        using var mqtt = await server.ConnectAsync("c1");
        var received = new Received(mqtt);
        await mqtt.SubscribeAsync("#");
        await mqtt.SubscribeAsync("$SYS2/x");
        await using var nats = server.Nats();
        await nats.PublishAsync("$SYS2.x", "dollar");
        var message = await received.NextAsync();
        Assert.That(message.Topic, Is.EqualTo("$SYS2/x"));
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), Is.True, "'#' must not match a $ topic");
    }

    [Test]
    public async Task MQTT_clients_show_in_connz_as_mqtt()
    {
        await using var server = await MqttServer.StartAsync();
        using var mqtt = await server.ConnectAsync("visible-client");
        var client = server.Server.Clients.Single(c => c.Kind.ConnzType == "mqtt");
        Assert.That(client.Options.Name, Is.EqualTo("visible-client"));
        await mqtt.DisconnectAsync();
        await Nats.TestSupport.TestServer.WaitUntilAsync(() => !server.Server.Clients.Any(c => c.Kind.ConnzType == "mqtt"), "the kernel client closes with the MQTT one");
    }
}
