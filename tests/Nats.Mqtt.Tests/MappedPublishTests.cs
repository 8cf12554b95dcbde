using MQTTnet;
using MQTTnet.Protocol;

namespace Nats.Mqtt.Tests;

/// <summary>
/// An MQTT publish to a subject an account mapping covers: nats-server 2.9.10 maps it in its MQTT
/// parser (<c>mqttParsePub</c>: subject and topic), before the NATS publish, so the QoS 1/2 copy in
/// <c>$MQTT_msgs</c> and the retained message are under the mapped subject and topic too.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MappedPublishTests
{
    private const string Mapping = "mappings { \"in.*\": \"mapped.$1\" }";

    [TestCase(MqttQualityOfServiceLevel.AtLeastOnce)]
    [TestCase(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task A_QoS1_or_2_publish_is_stored_and_retained_under_the_mapped_subject(MqttQualityOfServiceLevel qos)
    {
        await using var server = await MqttServer.StartAsync(extraConfig: Mapping);
        using var mappedSub = await server.ConnectAsync("mapped-sub");
        var mapped = new Received(mappedSub);
        await mappedSub.SubscribeAsync("mapped/#", qos);
        using var sourceSub = await server.ConnectAsync("source-sub");
        var source = new Received(sourceSub);
        await sourceSub.SubscribeAsync("in/#", qos);

        using var pub = await server.ConnectAsync("mapped-pub");
        var result = await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("in/x").WithPayload("up").WithQualityOfServiceLevel(qos).WithRetainFlag().Build());
        Assert.That(result.IsSuccess, Is.True, result.ReasonString);

        // The QoS 1/2 subscription's consumer takes $MQTT.msgs.mapped.>: it gets the message at its
        // QoS only when the stream copy is under the mapped subject.
        var message = await mapped.NextAsync();
        Assert.That(message.Topic, Is.EqualTo("mapped/x"));
        Assert.That(message.ConvertPayloadToString(), Is.EqualTo("up"));
        Assert.That(message.QualityOfServiceLevel, Is.EqualTo(qos));
        Assert.That(await mapped.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), Is.True, "delivered once");
        Assert.That(await source.NothingWithinAsync(TimeSpan.FromMilliseconds(200)), Is.True, "nothing under the source subject, stream copy included");

        // Retained under the mapped topic: a new subscription to it gets the message with RETAIN, the source topic has none.
        using var late = await server.ConnectAsync("late-sub");
        var lateReceived = new Received(late);
        await late.SubscribeAsync("in/x", qos);
        await late.SubscribeAsync("mapped/x", qos);
        var retained = await lateReceived.NextAsync();
        Assert.That(retained.Topic, Is.EqualTo("mapped/x"));
        Assert.That(retained.Retain, Is.True);
        Assert.That(await lateReceived.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), Is.True);
    }
}
