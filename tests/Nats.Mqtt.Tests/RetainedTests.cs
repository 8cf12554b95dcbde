using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Nats.Mqtt.Tests;

/// <summary>Retained messages in <c>$MQTT_rmsgs</c>: set, replace, clear, delivered on subscribe with RETAIN, kept across a restart.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class RetainedTests
{
    private static MqttApplicationMessage Retained(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag().Build();

    private static async Task<List<MqttApplicationMessage>> SubscribeAndCollectAsync(MqttServer server, string filter, int expected, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        using var client = await server.ConnectAsync("reader-" + Guid.NewGuid().ToString("N")[..6], version);
        var received = new Received(client);
        await client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        var messages = new List<MqttApplicationMessage>();
        for (var i = 0; i < expected; i++)
        {
            messages.Add(await received.NextAsync());
        }
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), Is.True, "no more retained messages");
        return messages;
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task Retained_messages_are_set_replaced_cleared_and_delivered_on_subscribe_with_the_retain_flag(MqttProtocolVersion version)
    {
        await using var server = await MqttServer.StartAsync();
        using var pub = await server.ConnectAsync("retainer", version);
        await pub.PublishAsync(Retained("home/kitchen/temp", "20"));
        await pub.PublishAsync(Retained("home/hall/temp", "18", MqttQualityOfServiceLevel.AtMostOnce));

        var both = await SubscribeAndCollectAsync(server, "home/+/temp", 2, version);
        Assert.That(both.Select(m => (m.Topic, m.ConvertPayloadToString(), m.Retain)),
            Is.EquivalentTo(new[] { ("home/kitchen/temp", "20", true), ("home/hall/temp", "18", true) }));
        // QoS is the lower of the message's and the subscription's.
        Assert.That(both.Single(m => m.Topic == "home/hall/temp").QualityOfServiceLevel, Is.EqualTo(MqttQualityOfServiceLevel.AtMostOnce));
        Assert.That(both.Single(m => m.Topic == "home/kitchen/temp").QualityOfServiceLevel, Is.EqualTo(MqttQualityOfServiceLevel.AtLeastOnce));

        await pub.PublishAsync(Retained("home/kitchen/temp", "21"));
        var replaced = await SubscribeAndCollectAsync(server, "home/kitchen/temp", 1, version);
        Assert.That(replaced[0].ConvertPayloadToString(), Is.EqualTo("21"));

        // An empty retained payload clears the topic [MQTT-3.3.1-10].
        await pub.PublishAsync(Retained("home/kitchen/temp", ""));
        var left = await SubscribeAndCollectAsync(server, "home/#", 1, version);
        Assert.That(left[0].Topic, Is.EqualTo("home/hall/temp"));
    }

    [Test]
    public async Task A_live_subscriber_gets_a_retained_publish_without_the_retain_flag()
    {
        await using var server = await MqttServer.StartAsync();
        using var sub = await server.ConnectAsync("live");
        var received = new Received(sub);
        await sub.SubscribeAsync("live/x", MqttQualityOfServiceLevel.AtLeastOnce);
        using var pub = await server.ConnectAsync("live-pub");
        await pub.PublishAsync(Retained("live/x", "now"));
        var message = await received.NextAsync();
        Assert.That((message.ConvertPayloadToString(), message.Retain), Is.EqualTo(("now", false)));
    }

    [Test]
    public async Task Retained_messages_survive_a_restart()
    {
        await using var server = await MqttServer.StartAsync();
        using (var pub = await server.ConnectAsync("keeper"))
        {
            await pub.PublishAsync(Retained("kept/a", "A"));
            await pub.PublishAsync(Retained("kept/b", "B"));
            await pub.PublishAsync(Retained("kept/b", ""));
            await pub.DisconnectAsync();
        }
        await server.RestartAsync();
        var messages = await SubscribeAndCollectAsync(server, "kept/#", 1);
        Assert.That((messages[0].Topic, messages[0].ConvertPayloadToString(), messages[0].Retain), Is.EqualTo(("kept/a", "A", true)));
    }

    [Test]
    public async Task MQTT5_retain_handling_2_sends_no_retained_messages()
    {
        await using var server = await MqttServer.StartAsync();
        using var pub = await server.ConnectAsync("rh-pub", MqttProtocolVersion.V500);
        await pub.PublishAsync(Retained("rh/x", "kept"));
        using var sub = await server.ConnectAsync("rh-sub", MqttProtocolVersion.V500);
        var received = new Received(sub);
        await sub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("rh/x").WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe)).Build());
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(500)), Is.True);
        await sub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("rh/+").WithRetainHandling(MqttRetainHandling.SendAtSubscribe)).Build());
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("kept"));
    }
}
