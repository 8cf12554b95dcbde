using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NATS.Client.Core;

namespace Nats.Mqtt.Tests;

/// <summary>MQTT 5 subscription options: No Local, Retain As Published, Retain Handling 1.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class Mqtt5OptionsTests
{
    private static MqttApplicationMessage Message(string topic, string payload, MqttQualityOfServiceLevel qos, bool retain = false) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build();

    [Test]
    public async Task No_local_keeps_a_clients_own_messages_from_it_at_QoS_0_and_1_but_not_from_others()
    {
        await using var server = await MqttServer.StartAsync();
        using var self = await server.ConnectAsync("nl-self", MqttProtocolVersion.V500);
        var received = new Received(self);
        await self.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("nl/a").WithNoLocal().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic("nl/b").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build());
        await using var nats = server.Nats();
        await using var natsSub = await nats.Connection.SubscribeCoreAsync<string>("nl.a");
        await nats.Connection.PingAsync();

        await self.PublishAsync(Message("nl/a", "self-a0", MqttQualityOfServiceLevel.AtMostOnce));
        await self.PublishAsync(Message("nl/a", "self-a1", MqttQualityOfServiceLevel.AtLeastOnce));
        await self.PublishAsync(Message("nl/b", "self-b", MqttQualityOfServiceLevel.AtLeastOnce));
        using var other = await server.ConnectAsync("nl-other", MqttProtocolVersion.V500);
        await other.PublishAsync(Message("nl/a", "other-a", MqttQualityOfServiceLevel.AtLeastOnce));

        var got = new[] { (await received.NextAsync()).ConvertPayloadToString(), (await received.NextAsync()).ConvertPayloadToString() };
        Assert.That(got, Is.EquivalentTo(new[] { "self-b", "other-a" }));
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(700)), Is.True, "its own messages on the No Local filter do not come back");
        // NATS subscribers are not MQTT subscriptions: they get everything.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.That((await natsSub.Msgs.ReadAsync(cts.Token)).Data, Is.EqualTo("self-a0"));
    }

    [Test]
    public async Task Retain_as_published_keeps_the_retain_flag_on_live_deliveries_at_QoS_0_and_1()
    {
        await using var server = await MqttServer.StartAsync();
        using var sub = await server.ConnectAsync("rap-sub", MqttProtocolVersion.V500);
        var received = new Received(sub);
        await sub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("rap/q0").WithRetainAsPublished().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce))
            .WithTopicFilter(f => f.WithTopic("rap/q1").WithRetainAsPublished().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic("rap/plain").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build());
        using var pub = await server.ConnectAsync("rap-pub", MqttProtocolVersion.V500);
        await pub.PublishAsync(Message("rap/q0", "0", MqttQualityOfServiceLevel.AtMostOnce, retain: true));
        await pub.PublishAsync(Message("rap/q1", "1", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));
        await pub.PublishAsync(Message("rap/plain", "p", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));
        await pub.PublishAsync(Message("rap/q1", "not-retained", MqttQualityOfServiceLevel.AtLeastOnce));

        var got = new Dictionary<string, bool>();
        for (var i = 0; i < 4; i++)
        {
            var message = await received.NextAsync();
            got[message.ConvertPayloadToString()] = message.Retain;
        }
        Assert.That(got, Is.EquivalentTo(new Dictionary<string, bool> { ["0"] = true, ["1"] = true, ["p"] = false, ["not-retained"] = false }));
    }

    [Test]
    public async Task Retain_handling_1_sends_retained_messages_to_a_new_subscription_only()
    {
        await using var server = await MqttServer.StartAsync();
        using var pub = await server.ConnectAsync("rh1-pub", MqttProtocolVersion.V500);
        await pub.PublishAsync(Message("rh1/x", "kept", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));
        using var sub = await server.ConnectAsync("rh1-sub", MqttProtocolVersion.V500);
        var received = new Received(sub);
        var ifNew = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("rh1/x").WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly)).Build();
        await sub.SubscribeAsync(ifNew);
        var first = await received.NextAsync();
        Assert.That((first.ConvertPayloadToString(), first.Retain), Is.EqualTo(("kept", true)));
        await sub.SubscribeAsync(ifNew);
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(500)), Is.True, "the same filter again is not a new subscription");
        await sub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("rh1/x").WithRetainHandling(MqttRetainHandling.SendAtSubscribe)).Build());
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("kept"), "retain handling 0 sends them on every SUBSCRIBE");
    }
}
