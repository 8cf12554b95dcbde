using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Nats.Mqtt.Tests;

/// <summary>MQTT 5 limits both ways (Maximum Packet Size, Receive Maximum) and enhanced authentication refused.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class Mqtt5LimitsTests
{
    [Test]
    public async Task Packets_larger_than_the_clients_maximum_packet_size_are_not_sent_at_QoS_0_or_1()
    {
        await using var server = await MqttServer.StartAsync(mqttBlock: "ack_wait: \"1s\"");
        using var sub = await server.ConnectAsync("mps-sub", MqttProtocolVersion.V500, b => b.WithMaximumPacketSize(256));
        var received = new Received(sub);
        await sub.SubscribeAsync("mps/#", MqttQualityOfServiceLevel.AtLeastOnce);
        var big = new string('x', 1000);
        await using var nats = server.Nats();
        await nats.PublishAsync("mps.q0", big);
        await nats.PublishAsync("mps.q0", "small-0");
        using var pub = await server.ConnectAsync("mps-pub", MqttProtocolVersion.V500);
        await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("mps/q1").WithPayload(big).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("mps/q1").WithPayload("small-1").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var got = new[] { (await received.NextAsync()).ConvertPayloadToString(), (await received.NextAsync()).ConvertPayloadToString() };
        Assert.That(got, Is.EquivalentTo(new[] { "small-0", "small-1" }));
        // The large QoS 1 message counts as delivered: no redelivery after ack_wait (1 s).
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(2500)), Is.True);
        Assert.That(sub.IsConnected, Is.True);
    }

    [Test]
    public async Task The_server_announces_its_maximum_packet_size_and_receive_maximum_and_a_larger_packet_gets_DISCONNECT_0x95()
    {
        await using var server = await MqttServer.StartAsync("max_payload: 1024", "max_ack_pending: 3");
        var (raw, _) = await RawClient.ConnectAsync(server, "mps-raw", clean: true, v5Properties: []);
        await using (raw)
        {
            var announced = raw.ConnAckProperty(0x27);
            Assert.That(announced, Is.Not.Null.And.GreaterThan(1024));
            Assert.That(raw.ConnAckProperty(0x21), Is.EqualTo(3), "Receive Maximum: max_ack_pending");
            await raw.PublishAsync("too/big", new string('x', (int)announced!.Value + 10), qos: 0, packetId: 0);
            var (type, _, body) = await raw.ReadAsync();
            Assert.That((type, body[0]), Is.EqualTo((14, 0x95)), "DISCONNECT Packet too large");
        }
    }

    [Test]
    public async Task More_unacknowledged_QoS_2_publishes_than_the_receive_maximum_get_DISCONNECT_0x93()
    {
        await using var server = await MqttServer.StartAsync(mqttBlock: "max_ack_pending: 3");
        var (raw, _) = await RawClient.ConnectAsync(server, "rm-raw", clean: true, v5Properties: []);
        await using (raw)
        {
            for (ushort id = 1; id <= 3; id++)
            {
                await raw.PublishAsync("rm/x", "m" + id, qos: 2, packetId: id);
                Assert.That((await raw.ReadAsync()).Type, Is.EqualTo(5), "PUBREC");
            }
            // A duplicate of one awaiting its PUBREL does not count twice.
            await raw.PublishAsync("rm/x", "m1", qos: 2, packetId: 1, dup: true);
            Assert.That((await raw.ReadAsync()).Type, Is.EqualTo(5), "PUBREC of the DUP");
            await raw.PubRelAsync(1);
            Assert.That((await raw.ReadAsync()).Type, Is.EqualTo(7), "PUBCOMP");
            await raw.PublishAsync("rm/x", "m4", qos: 2, packetId: 4);
            Assert.That((await raw.ReadAsync()).Type, Is.EqualTo(5), "PUBREC: 3 awaiting PUBREL now");
            await raw.PublishAsync("rm/x", "m5", qos: 2, packetId: 5);
            var (type, _, body) = await raw.ReadAsync();
            Assert.That((type, body[0]), Is.EqualTo((14, 0x93)), "DISCONNECT Receive Maximum exceeded");
        }
    }

    [Test]
    public async Task A_CONNECT_with_an_authentication_method_gets_CONNACK_0x8C()
    {
        await using var server = await MqttServer.StartAsync();
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = server.Options("auth-method", MqttProtocolVersion.V500).WithEnhancedAuthentication("SCRAM-SHA-1").Build();
        Assert.That(await AuthTests.RefusalAsync(client, options), Is.EqualTo(MqttClientConnectResultCode.BadAuthenticationMethod));
        // The server goes on serving others.
        using var fine = await server.ConnectAsync("after-auth", MqttProtocolVersion.V500);
        Assert.That(fine.IsConnected, Is.True);
    }

    [Test]
    public async Task An_AUTH_packet_without_an_authentication_method_gets_DISCONNECT_protocol_error()
    {
        await using var server = await MqttServer.StartAsync();
        var (raw, _) = await RawClient.ConnectAsync(server, "auth-raw", clean: true, v5Properties: []);
        await using (raw)
        {
            // AUTH, reason 0x18 (continue authentication), no properties.
            await raw.SendAsync(0xF0, [0x18, 0x00]);
            var (type, _, body) = await raw.ReadAsync();
            Assert.That((type, body[0]), Is.EqualTo((14, 0x82)));
        }
    }
}
