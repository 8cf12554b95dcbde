using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NATS.Client.Core;

namespace Nats.Mqtt.Tests;

/// <summary>QoS 2: PUBREC/PUBREL/PUBCOMP both ways, exactly once through <c>$MQTT_qos2in</c>, PUBRELs kept in <c>$MQTT_out</c>.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class Qos2Tests
{
    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task QoS2_publish_reaches_a_QoS2_subscriber_once_at_QoS2(MqttProtocolVersion version)
    {
        await using var server = await MqttServer.StartAsync();
        using var sub = await server.ConnectAsync("q2-sub", version);
        var received = new Received(sub);
        await sub.SubscribeAsync("q2/x", MqttQualityOfServiceLevel.ExactlyOnce);
        using var pub = await server.ConnectAsync("q2-pub", version);
        for (var i = 0; i < 3; i++)
        {
            var result = await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("q2/x").WithPayload("e" + i)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.ExactlyOnce).Build());
            Assert.That(result.IsSuccess, Is.True, result.ReasonString);
        }
        for (var i = 0; i < 3; i++)
        {
            var message = await received.NextAsync();
            Assert.That((message.ConvertPayloadToString(), message.QualityOfServiceLevel), Is.EqualTo(("e" + i, MqttQualityOfServiceLevel.ExactlyOnce)));
        }
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), Is.True);
    }

    [Test]
    public async Task A_duplicated_QoS2_PUBLISH_is_delivered_once_and_only_after_PUBREL()
    {
        await using var server = await MqttServer.StartAsync();
        await using var nats = server.Nats();
        await using var natsSub = await nats.Connection.SubscribeCoreAsync<string>("once.>");
        await nats.PingAsync();
        var (raw, _) = await RawClient.ConnectAsync(server, "dupper", clean: true);
        await using (raw)
        {
            await raw.PublishAsync("once/x", "exactly", qos: 2, packetId: 7);
            var rec = await raw.ReadAsync();
            Assert.That((rec.Type, RawClient.PacketId(rec.Body)), Is.EqualTo((5, (ushort)7)), "PUBREC");
            // The sender did not see the PUBREC: it sends again, with DUP.
            await raw.PublishAsync("once/x", "exactly", qos: 2, packetId: 7, dup: true);
            rec = await raw.ReadAsync();
            Assert.That((rec.Type, RawClient.PacketId(rec.Body)), Is.EqualTo((5, (ushort)7)));
            using (var early = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                Assert.That(async () => await natsSub.Msgs.ReadAsync(early.Token), Throws.InstanceOf<OperationCanceledException>(), "nothing before PUBREL");
            }
            await raw.PubRelAsync(7);
            var comp = await raw.ReadAsync();
            Assert.That((comp.Type, RawClient.PacketId(comp.Body)), Is.EqualTo((7, (ushort)7)), "PUBCOMP");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var msg = await natsSub.Msgs.ReadAsync(cts.Token);
            Assert.That((msg.Subject, msg.Data), Is.EqualTo(("once.x", "exactly")));
            // A PUBREL again (the PUBCOMP was lost) gets its PUBCOMP and delivers nothing more.
            await raw.PubRelAsync(7);
            comp = await raw.ReadAsync();
            Assert.That(comp.Type, Is.EqualTo(7));
            using var late = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            Assert.That(async () => await natsSub.Msgs.ReadAsync(late.Token), Throws.InstanceOf<OperationCanceledException>(), "exactly once");
        }
    }

    [Test]
    public async Task A_PUBREL_without_its_PUBCOMP_is_sent_again_when_the_session_returns()
    {
        await using var server = await MqttServer.StartAsync();
        var (raw, _) = await RawClient.ConnectAsync(server, "q2-keeper", clean: false);
        ushort packetId;
        await using (raw)
        {
            await raw.SubscribeAsync("rel/x", qos: 2);
            var suback = await raw.ReadAsync();
            Assert.That((suback.Type, suback.Body[2]), Is.EqualTo((9, (byte)2)), "SUBACK QoS 2");
            using var pub = await server.ConnectAsync("q2-sender");
            await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("rel/x").WithPayload("two")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.ExactlyOnce).Build());
            var publish = await raw.ReadAsync();
            Assert.That((publish.Type, (publish.Flags >> 1) & 3), Is.EqualTo((3, 2)), "PUBLISH at QoS 2");
            var (topic, id, payload) = RawClient.Publish(publish.Flags, publish.Body);
            Assert.That((topic, payload), Is.EqualTo(("rel/x", "two")));
            packetId = id;
            await raw.PubRecAsync(packetId);
            var rel = await raw.ReadAsync();
            Assert.That((rel.Type, RawClient.PacketId(rel.Body)), Is.EqualTo((6, packetId)), "PUBREL");
            // Gone without PUBCOMP.
        }
        await Nats.TestSupport.TestServer.WaitUntilAsync(() => server.Plugin.ConnectionCount == 0, "closed", TimeSpan.FromSeconds(10));
        var (again, present) = await RawClient.ConnectAsync(server, "q2-keeper", clean: false);
        await using (again)
        {
            Assert.That(present, Is.True);
            var rel = await again.ReadAsync();
            Assert.That((rel.Type, RawClient.PacketId(rel.Body)), Is.EqualTo((6, packetId)), "the PUBREL again, not the message");
            await again.PubCompAsync(packetId);
            Assert.That(async () => await again.ReadAsync(TimeSpan.FromMilliseconds(500)), Throws.InstanceOf<OperationCanceledException>(), "nothing else");
        }
    }
}
