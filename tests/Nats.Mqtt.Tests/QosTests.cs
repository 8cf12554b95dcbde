using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NATS.Client.JetStream;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.Mqtt.Tests;

/// <summary>QoS 1 through JetStream: stored before PUBACK, delivered with packet IDs by a durable consumer, acked by PUBACK, redelivered with DUP.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class QosTests
{
    private static MqttApplicationMessage Message(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = false) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build();

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task QoS1_publish_reaches_a_QoS1_subscriber_at_QoS1_and_is_acked_after_the_store(MqttProtocolVersion version)
    {
        await using var server = await MqttServer.StartAsync();
        using var sub = await server.ConnectAsync("q1-sub", version);
        var received = new Received(sub);
        await sub.SubscribeAsync("q1/+", MqttQualityOfServiceLevel.AtLeastOnce);
        using var pub = await server.ConnectAsync("q1-pub", version);
        for (var i = 0; i < 5; i++)
        {
            var result = await pub.PublishAsync(Message("q1/t", "m" + i));
            Assert.That(result.IsSuccess, Is.True, result.ReasonString);
        }
        for (var i = 0; i < 5; i++)
        {
            var message = await received.NextAsync();
            Assert.That(message.ConvertPayloadToString(), Is.EqualTo("m" + i));
            Assert.That(message.QualityOfServiceLevel, Is.EqualTo(MqttQualityOfServiceLevel.AtLeastOnce));
            Assert.That(message.Dup, Is.False);
        }
        // Exactly once each: the kernel's copy (Nmqtt-Pub: 1) is not delivered a second time at QoS 0.
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), Is.True);

        // The streams are nats-server's, in the account, seen by any JetStream client.
        await using var nats = server.Nats();
        var js = nats.CreateJetStreamContext();
        var names = new List<string>();
        await foreach (var name in js.ListStreamNamesAsync())
        {
            names.Add(name);
        }
        Assert.That(names, Is.SupersetOf(new[] { "$MQTT_msgs", "$MQTT_rmsgs", "$MQTT_sess", "$MQTT_qos2in", "$MQTT_out" }));
        var consumers = new List<string>();
        await foreach (var name in (await js.GetStreamAsync("$MQTT_msgs")).ListConsumerNamesAsync())
        {
            consumers.Add(name);
        }
        Assert.That(consumers, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_NATS_subscriber_gets_an_MQTT_QoS1_publish_and_NATS_publishes_reach_QoS1_subscribers_at_QoS0()
    {
        await using var server = await MqttServer.StartAsync();
        await using var nats = server.Nats();
        await using var natsSub = await nats.Connection.SubscribeCoreAsync<string>("mixed.>");
        await nats.PingAsync();
        using var mqtt = await server.ConnectAsync("mixed");
        var received = new Received(mqtt);
        await mqtt.SubscribeAsync("mixed/in", MqttQualityOfServiceLevel.AtLeastOnce);
        await mqtt.PublishAsync(Message("mixed/out", "to-nats"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var msg = await natsSub.Msgs.ReadAsync(cts.Token);
        Assert.That(msg.Data, Is.EqualTo("to-nats"));
        Assert.That(msg.Headers?["Nmqtt-Pub"].ToString(), Is.EqualTo("1"));
        await nats.PublishAsync("mixed.in", "from-nats");
        var message = await received.NextAsync();
        Assert.That(message.ConvertPayloadToString(), Is.EqualTo("from-nats"));
        Assert.That(message.QualityOfServiceLevel, Is.EqualTo(MqttQualityOfServiceLevel.AtMostOnce));
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task An_unacknowledged_QoS1_message_is_redelivered_with_DUP_after_ack_wait(MqttProtocolVersion version)
    {
        await using var server = await MqttServer.StartAsync(mqttBlock: "ack_wait: \"1s\"");
        var sub = new MqttClientFactory().CreateMqttClient();
        var deliveries = System.Threading.Channels.Channel.CreateUnbounded<(string Payload, bool Dup, ushort PacketId)>();
        var first = true;
        sub.ApplicationMessageReceivedAsync += e =>
        {
            // The first delivery is not acknowledged (no PUBACK): JetStream must redeliver it.
            if (first)
            {
                first = false;
                e.AutoAcknowledge = false;
            }
            deliveries.Writer.TryWrite((e.ApplicationMessage.ConvertPayloadToString(), e.ApplicationMessage.Dup, e.PacketIdentifier));
            return Task.CompletedTask;
        };
        await sub.ConnectAsync(server.Options("dup-sub", version).WithCleanSession().Build());
        await sub.SubscribeAsync("dup/x", MqttQualityOfServiceLevel.AtLeastOnce);
        using var pub = await server.ConnectAsync("dup-pub", version);
        await pub.PublishAsync(Message("dup/x", "again"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var one = await deliveries.Reader.ReadAsync(cts.Token);
        Assert.That((one.Payload, one.Dup), Is.EqualTo(("again", false)));
        var two = await deliveries.Reader.ReadAsync(cts.Token);
        Assert.That((two.Payload, two.Dup, two.PacketId), Is.EqualTo(("again", true, one.PacketId)), "redelivered with DUP and the same packet id");
        // Acknowledged now: once the server holds the PUBACK (nothing pending on the session's
        // consumer), nothing more comes, waited for past the 1 s ack wait. A copy sent before it
        // held the PUBACK (a loaded machine delaying the PUBACK past the ack wait) is legitimate:
        // the consumer counted it, and it is awaited here before the quiet window starts.
        await using var nats = server.Nats();
        var js = nats.CreateJetStreamContext();
        var stream = await js.GetStreamAsync("$MQTT_msgs", cancellationToken: cts.Token);
        var consumer = await stream.GetConsumerAsync(await stream.ListConsumerNamesAsync(cts.Token).SingleAsync(cts.Token), cts.Token);
        await Eventually.TrueAsync(async () =>
        {
            await consumer.RefreshAsync(cts.Token);
            return consumer.Info.NumAckPending == 0;
        }, "the server took the PUBACK", TimeSpan.FromSeconds(10));
        var sent = consumer.Info.Delivered.ConsumerSeq;
        var received = 2UL;
        while (received < sent)
        {
            await deliveries.Reader.ReadAsync(cts.Token);
            received++;
        }
        await Task.Delay(TimeSpan.FromSeconds(1.6));
        Assert.That(deliveries.Reader.TryRead(out _), Is.False, $"delivered again after the server took the PUBACK ({sent} deliveries before)");
        sub.Dispose();
    }

    [Test]
    public async Task Max_ack_pending_bounds_the_messages_in_flight_to_a_client()
    {
        await using var server = await MqttServer.StartAsync(mqttBlock: "max_ack_pending: 2\nack_wait: \"30s\"");
        var sub = new MqttClientFactory().CreateMqttClient();
        var deliveries = System.Threading.Channels.Channel.CreateUnbounded<MqttApplicationMessageReceivedEventArgs>();
        sub.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            deliveries.Writer.TryWrite(e);
            return Task.CompletedTask;
        };
        await sub.ConnectAsync(server.Options("map-sub").WithCleanSession().Build());
        await sub.SubscribeAsync("map/x", MqttQualityOfServiceLevel.AtLeastOnce);
        using var pub = await server.ConnectAsync("map-pub");
        for (var i = 0; i < 5; i++)
        {
            await pub.PublishAsync(Message("map/x", "m" + i));
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var a = await deliveries.Reader.ReadAsync(cts.Token);
        var b = await deliveries.Reader.ReadAsync(cts.Token);
        Assert.That(new[] { a.ApplicationMessage.ConvertPayloadToString(), b.ApplicationMessage.ConvertPayloadToString() }, Is.EqualTo(new[] { "m0", "m1" }));
        await Task.Delay(500);
        Assert.That(deliveries.Reader.TryRead(out _), Is.False, "no third message while two wait for their PUBACK");
        await a.AcknowledgeAsync(cts.Token);
        await b.AcknowledgeAsync(cts.Token);
        var rest = new List<string>();
        while (rest.Count < 3)
        {
            var next = await deliveries.Reader.ReadAsync(cts.Token);
            rest.Add(next.ApplicationMessage.ConvertPayloadToString());
            await next.AcknowledgeAsync(cts.Token);
        }
        Assert.That(rest, Is.EqualTo(new[] { "m2", "m3", "m4" }));
        sub.Dispose();
    }

    [Test]
    public async Task Messages_beyond_an_MQTT5_receive_maximum_come_soon_after_not_after_ack_wait()
    {
        await using var server = await MqttServer.StartAsync();
        var (sub, _, received) = await server.ConnectWithResultAsync("small-window", MqttProtocolVersion.V500, b => b.WithCleanStart().WithReceiveMaximum(1));
        await sub.SubscribeAsync("window/x", MqttQualityOfServiceLevel.AtLeastOnce);
        using var pub = await server.ConnectAsync("window-pub", MqttProtocolVersion.V500);
        for (var i = 0; i < 3; i++)
        {
            await pub.PublishAsync(Message("window/x", "w" + i));
        }
        // ack_wait is 30 s: all three within 10 s means the ones over the window were offered again promptly.
        var payloads = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            payloads.Add((await received.NextAsync(TimeSpan.FromSeconds(10))).ConvertPayloadToString());
        }
        Assert.That(payloads, Is.EquivalentTo(new[] { "w0", "w1", "w2" }));
        sub.Dispose();
    }
}
