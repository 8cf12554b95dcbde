using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Nats.Mqtt.Tests;

/// <summary>
/// A subscription whose wildcard overlaps a subscribe deny clause is granted, but the denied
/// subjects' messages are not delivered, whichever the path (QoS 0 through the kernel, QoS 1
/// through JetStream, retained): nats-server's checkDenySub.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class DenyOverlapTests
{
    private const string Users = """
        authorization {
          users: [
            { user: reader, password: pw, permissions: { subscribe: { allow: ">", deny: ["secret.x", "secret0.x"] } } }
            { user: writer, password: pw }
          ]
        }
        """;

    private static MqttApplicationMessage Message(string topic, string payload, MqttQualityOfServiceLevel qos, bool retain = false) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build();

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task Denied_subjects_under_a_granted_wildcard_are_not_delivered(MqttProtocolVersion version)
    {
        await using var server = await MqttServer.StartAsync(Users);
        using var writer = await server.ConnectAsync("deny-writer", version, b => b.WithCredentials("writer", "pw"));
        await writer.PublishAsync(Message("secret/x", "retained-x", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));
        await writer.PublishAsync(Message("secret/y", "retained-y", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));

        using var reader = await server.ConnectAsync("deny-reader", version, b => b.WithCredentials("reader", "pw"));
        var received = new Received(reader);
        var granted = await reader.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("secret/#").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic("secret0/+").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce))
            .Build());
        Assert.That(granted.Items.Select(i => (int)i.ResultCode), Is.EqualTo(new[] { 1, 0 }), "the wildcards are granted");
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("retained-y"));

        await writer.PublishAsync(Message("secret/x", "live-x", MqttQualityOfServiceLevel.AtLeastOnce));
        await writer.PublishAsync(Message("secret/y", "live-y", MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("live-y"));
        await writer.PublishAsync(Message("secret0/x", "q0-x", MqttQualityOfServiceLevel.AtMostOnce));
        await writer.PublishAsync(Message("secret0/y", "q0-y", MqttQualityOfServiceLevel.AtMostOnce));
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("q0-y"));
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(700)), Is.True, "nothing on secret/x or secret0/x");
    }
}
