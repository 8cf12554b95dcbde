using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NATS.Client.JetStream;
using NATS.Net;

namespace Nats.Mqtt.Tests;

/// <summary>
/// What the server tidies up by itself: a shared subscription's consumer when its group's last
/// session leaves, and at start the sessions that ended or expired while it was down.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class SessionHousekeepingTests
{
    private static async Task<List<string>> ConsumersAsync(MqttServer server)
    {
        await using var nats = server.Nats();
        var names = new List<string>();
        await foreach (var name in (await nats.CreateJetStreamContext().GetStreamAsync("$MQTT_msgs")).ListConsumerNamesAsync())
        {
            names.Add(name);
        }
        return names;
    }

    private static async Task<long> SessionRecordsAsync(MqttServer server)
    {
        await using var nats = server.Nats();
        var stream = await nats.CreateJetStreamContext().GetStreamAsync("$MQTT_sess");
        return (long)stream.Info.State.Messages;
    }

    /// <summary>Polls (every 100 ms, at most <paramref name="within"/>) until <paramref name="condition"/> holds.</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return await condition();
    }

    [Test]
    public async Task A_shared_subscriptions_consumer_goes_with_the_groups_last_session()
    {
        await using var server = await MqttServer.StartAsync();
        using var first = await server.ConnectAsync("share-1", MqttProtocolVersion.V500);
        using var second = await server.ConnectAsync("share-2", MqttProtocolVersion.V500);
        await first.SubscribeAsync("$share/g/work/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await second.SubscribeAsync("$share/g/work/#", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.That((await ConsumersAsync(server)).Count(n => n.StartsWith("share_", StringComparison.Ordinal)), Is.EqualTo(1), "one consumer per group and filter");

        await first.UnsubscribeAsync("$share/g/work/#");
        Assert.That((await ConsumersAsync(server)).Count(n => n.StartsWith("share_", StringComparison.Ordinal)), Is.EqualTo(1), "the group still has a member");

        // The other member still gets the group's messages.
        var received = new Received(second);
        using var pub = await server.ConnectAsync("share-pub", MqttProtocolVersion.V500);
        await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("work/a").WithPayload("job").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("job"));

        await second.DisconnectAsync();
        Assert.That(await EventuallyAsync(async () => !(await ConsumersAsync(server)).Any(n => n.StartsWith("share_", StringComparison.Ordinal)), TimeSpan.FromSeconds(10)),
            Is.True, "the last member's clean session ended: the group's consumer is deleted");
    }

    [Test]
    public async Task Sessions_that_expired_while_the_server_was_down_are_removed_at_start()
    {
        await using var server = await MqttServer.StartAsync();
        using (var expiring = await server.ConnectAsync("sweep-short", MqttProtocolVersion.V500, b => b.WithCleanStart(false).WithSessionExpiryInterval(1)))
        {
            await expiring.SubscribeAsync("sweep/x", MqttQualityOfServiceLevel.AtLeastOnce);
            await expiring.DisconnectAsync();
        }
        using (var kept = await server.ConnectAsync("sweep-long", MqttProtocolVersion.V500, b => b.WithCleanStart(false).WithSessionExpiryInterval(3600)))
        {
            await kept.SubscribeAsync("sweep/y", MqttQualityOfServiceLevel.AtLeastOnce);
            await kept.DisconnectAsync();
        }
        // Restarted at once: the 1 s expiry timer of the first run is gone with it.
        await server.RestartAsync();
        // No MQTT client connects: the sweep at start removes the expired session and its consumer.
        Assert.That(await EventuallyAsync(async () => await SessionRecordsAsync(server) == 1 && (await ConsumersAsync(server)).Count == 1, TimeSpan.FromSeconds(20)),
            Is.True, "only the unexpired session and its consumer are left");
        var (again, result, _) = await server.ConnectWithResultAsync("sweep-long", MqttProtocolVersion.V500, b => b.WithCleanStart(false).WithSessionExpiryInterval(3600));
        using (again)
        {
            Assert.That(result.IsSessionPresent, Is.True);
        }
        var (gone, goneResult, _) = await server.ConnectWithResultAsync("sweep-short", MqttProtocolVersion.V500, b => b.WithCleanStart(false).WithSessionExpiryInterval(1));
        using (gone)
        {
            Assert.That(goneResult.IsSessionPresent, Is.False);
        }
    }
}
