using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Nats.Mqtt.Tests;

/// <summary>MQTT 5 Will Delay Interval: the will waits, goes when the session ends first, and not at all when the client is back in time.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class WillDelayTests
{
    private static Action<MqttClientOptionsBuilder> WithWill(string topic, uint delay, uint sessionExpiry) => b => b
        .WithCleanStart(false)
        .WithSessionExpiryInterval(sessionExpiry)
        .WithWillTopic(topic)
        .WithWillPayload("gone")
        .WithWillDelayInterval(delay);

    private static Task LeaveWithWillAsync(IMqttClient client) =>
        client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());

    private static async Task<Received> WatchAsync(MqttServer server, string topic)
    {
        var watcher = await server.ConnectAsync("watch-" + Guid.NewGuid().ToString("N")[..6], MqttProtocolVersion.V500);
        var received = new Received(watcher);
        await watcher.SubscribeAsync(topic);
        return received;
    }

    [Test]
    public async Task The_will_goes_after_its_delay()
    {
        await using var server = await MqttServer.StartAsync();
        var watched = await WatchAsync(server, "will/late");
        using var client = await server.ConnectAsync("will-late", MqttProtocolVersion.V500, WithWill("will/late", delay: 2, sessionExpiry: 60));
        var clock = Stopwatch.StartNew();
        await LeaveWithWillAsync(client);
        Assert.That(await watched.NothingWithinAsync(TimeSpan.FromMilliseconds(1000)), Is.True, "not before the delay");
        var will = await watched.NextAsync(TimeSpan.FromSeconds(15));
        Assert.That(will.ConvertPayloadToString(), Is.EqualTo("gone"));
        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1.5)));
    }

    [Test]
    public async Task The_will_is_not_sent_when_the_client_is_back_within_the_delay()
    {
        await using var server = await MqttServer.StartAsync();
        var watched = await WatchAsync(server, "will/back");
        using (var client = await server.ConnectAsync("will-back", MqttProtocolVersion.V500, WithWill("will/back", delay: 3, sessionExpiry: 60)))
        {
            await LeaveWithWillAsync(client);
        }
        var (again, result, _) = await server.ConnectWithResultAsync("will-back", MqttProtocolVersion.V500, b => b.WithCleanStart(false).WithSessionExpiryInterval(60));
        using (again)
        {
            Assert.That(result.IsSessionPresent, Is.True);
            Assert.That(await watched.NothingWithinAsync(TimeSpan.FromSeconds(4.5)), Is.True, "no will once the client is back");
        }
    }

    [Test]
    public async Task The_will_goes_when_the_session_expires_before_the_delay()
    {
        await using var server = await MqttServer.StartAsync();
        var watched = await WatchAsync(server, "will/expiry");
        using var client = await server.ConnectAsync("will-expiry", MqttProtocolVersion.V500, WithWill("will/expiry", delay: 600, sessionExpiry: 1));
        await LeaveWithWillAsync(client);
        var will = await watched.NextAsync(TimeSpan.FromSeconds(15));
        Assert.That(will.ConvertPayloadToString(), Is.EqualTo("gone"));
    }
}
