using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NATS.Client.JetStream;
using NATS.Net;

namespace Nats.Mqtt.Tests;

/// <summary>MQTT 5 session expiry interval and message expiry interval on the JetStream-backed sessions.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class Mqtt5SessionTests
{
    private static async Task<int> ConsumerCountAsync(MqttServer server)
    {
        await using var nats = server.Nats();
        var count = 0;
        await foreach (var _ in (await nats.CreateJetStreamContext().GetStreamAsync("$MQTT_msgs")).ListConsumerNamesAsync())
        {
            count++;
        }
        return count;
    }

    [Test]
    public async Task A_session_is_discarded_when_its_expiry_interval_ends()
    {
        await using var server = await MqttServer.StartAsync();
        var interval = TimeSpan.FromSeconds(8);
        var (client, _, _) = await server.ConnectWithResultAsync("expiring", MqttProtocolVersion.V500, b => b.WithCleanStart(false).WithSessionExpiryInterval((uint)interval.TotalSeconds));
        await client.SubscribeAsync("exp/x", MqttQualityOfServiceLevel.AtLeastOnce);
        // The server's interval starts once it sees the DISCONNECT, after this clock starts: a
        // count finished within the interval by this clock was taken while the session was kept.
        var sinceDisconnect = System.Diagnostics.Stopwatch.StartNew();
        await client.DisconnectAsync();
        client.Dispose();
        var kept = await ConsumerCountAsync(server);
        if (sinceDisconnect.Elapsed < interval)
        {
            Assert.That(kept, Is.EqualTo(1), "kept while the interval runs");
        }
        else
        {
            // At load 45 the count has taken longer than the interval: it says nothing then.
            TestContext.Out.WriteLine($"the first count took {sinceDisconnect.Elapsed}, past the interval: not checked");
        }
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (await ConsumerCountAsync(server) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.That(await ConsumerCountAsync(server), Is.Zero, "the expired session's consumer is gone");
        var (again, result, _) = await server.ConnectWithResultAsync("expiring", MqttProtocolVersion.V500, b => b.WithCleanStart(false).WithSessionExpiryInterval(1));
        Assert.That(result.IsSessionPresent, Is.False);
        again.Dispose();
    }

    [Test]
    public async Task Without_a_session_expiry_interval_nothing_is_kept()
    {
        await using var server = await MqttServer.StartAsync();
        var (client, _, _) = await server.ConnectWithResultAsync("brief", MqttProtocolVersion.V500, b => b.WithCleanStart(false));
        await client.SubscribeAsync("brief/x", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.DisconnectAsync();
        client.Dispose();
        await Nats.TestSupport.TestServer.WaitUntilAsync(() => server.Plugin.ConnectionCount == 0, "closed", TimeSpan.FromSeconds(10));
        var (again, result, _) = await server.ConnectWithResultAsync("brief", MqttProtocolVersion.V500, b => b.WithCleanStart(false));
        Assert.That(result.IsSessionPresent, Is.False);
        Assert.That(await ConsumerCountAsync(server), Is.Zero);
        again.Dispose();
    }

    [Test]
    public async Task A_message_whose_expiry_interval_ran_out_is_not_delivered_and_the_rest_carry_what_is_left()
    {
        await using var server = await MqttServer.StartAsync();
        var (client, _, _) = await server.ConnectWithResultAsync("patient", MqttProtocolVersion.V500, b => MqttServer.Persistent(b, MqttProtocolVersion.V500));
        await client.SubscribeAsync("ttl/x", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.DisconnectAsync();
        client.Dispose();
        using (var pub = await server.ConnectAsync("ttl-pub", MqttProtocolVersion.V500))
        {
            await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("ttl/x").WithPayload("short").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(1).Build());
            await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("ttl/x").WithPayload("long").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(120).Build());
        }
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var (again, result, received) = await server.ConnectWithResultAsync("patient", MqttProtocolVersion.V500, b => MqttServer.Persistent(b, MqttProtocolVersion.V500));
        Assert.That(result.IsSessionPresent, Is.True);
        var message = await received.NextAsync();
        Assert.That(message.ConvertPayloadToString(), Is.EqualTo("long"));
        Assert.That(message.MessageExpiryInterval, Is.InRange(110u, 119u), "what is left of 120 s");
        Assert.That(await received.NothingWithinAsync(TimeSpan.FromMilliseconds(500)), Is.True, "the expired one never comes");
        again.Dispose();
    }
}
