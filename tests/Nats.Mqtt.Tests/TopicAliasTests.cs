using NATS.Client.Core;

namespace Nats.Mqtt.Tests;

/// <summary>MQTT 5 topic aliases from the server to a client that allows them (Topic Alias Maximum in its CONNECT).</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class TopicAliasTests
{
    /// <summary>An MQTT 5 PUBLISH body (QoS 0): topic, properties, payload.</summary>
    private static (string Topic, byte[] Properties, string Payload) Parse(byte[] body)
    {
        var topicLength = (body[0] << 8) | body[1];
        var topic = System.Text.Encoding.UTF8.GetString(body, 2, topicLength);
        var at = 2 + topicLength;
        var propertiesLength = body[at++];
        var properties = body[at..(at + propertiesLength)];
        at += propertiesLength;
        return (topic, properties, System.Text.Encoding.UTF8.GetString(body, at, body.Length - at));
    }

    [Test]
    public async Task Repeated_topics_go_as_aliases_up_to_the_clients_maximum()
    {
        await using var server = await MqttServer.StartAsync();
        // Topic Alias Maximum (0x22) = 1.
        var (raw, _) = await RawClient.ConnectAsync(server, "aliased", clean: true, v5Properties: [0x22, 0x00, 0x01]);
        await using (raw)
        {
            await raw.SubscribeAsync("alias/#", qos: 0);
            Assert.That((await raw.ReadAsync()).Type, Is.EqualTo(9), "SUBACK");
            await using var nats = server.Nats();
            foreach (var subject in new[] { "alias.a", "alias.a", "alias.b", "alias.a" })
            {
                await nats.PublishAsync(subject, subject);
            }
            var packets = new List<(string Topic, byte[] Properties, string Payload)>();
            for (var i = 0; i < 4; i++)
            {
                var (type, _, body) = await raw.ReadAsync();
                Assert.That(type, Is.EqualTo(3));
                packets.Add(Parse(body));
            }
            // First: the topic with alias 1; then alias 1 alone; the maximum (1) is used up, so alias/b goes in full.
            Assert.That(packets[0], Is.EqualTo(("alias/a", new byte[] { 0x23, 0x00, 0x01 }, "alias.a")).Using(new TupleComparer()));
            Assert.That(packets[1], Is.EqualTo(("", new byte[] { 0x23, 0x00, 0x01 }, "alias.a")).Using(new TupleComparer()));
            Assert.That(packets[2], Is.EqualTo(("alias/b", Array.Empty<byte>(), "alias.b")).Using(new TupleComparer()));
            Assert.That(packets[3], Is.EqualTo(("", new byte[] { 0x23, 0x00, 0x01 }, "alias.a")).Using(new TupleComparer()));
        }
    }

    private sealed class TupleComparer : IEqualityComparer<(string, byte[], string)>
    {
        public bool Equals((string, byte[], string) x, (string, byte[], string) y) => x.Item1 == y.Item1 && x.Item2.SequenceEqual(y.Item2) && x.Item3 == y.Item3;

        public int GetHashCode((string, byte[], string) obj) => obj.Item1.GetHashCode();
    }
}
