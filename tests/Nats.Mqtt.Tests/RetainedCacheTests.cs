using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Nats.Mqtt.Store;

namespace Nats.Mqtt.Tests;

/// <summary>Retained messages are indexed in memory, their bodies cached within a byte budget and read from the stream when not cached.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class RetainedCacheTests
{
    private static RetainedMessage Message(ulong sequence, string subject, int size) =>
        new(sequence, subject, subject.Replace('.', '/'), 3, [], new byte[size]);

    [Test]
    public void The_cache_stays_within_its_budget_and_keeps_the_index_whole()
    {
        var retained = new RetainedMessages { CacheBudget = 5_000 };
        for (ulong i = 1; i <= 20; i++)
        {
            retained.Apply("t." + i, i, Message(i, "t." + i, 1_000));
        }
        Assert.That(retained.CachedBytes, Is.LessThanOrEqualTo(5_000).And.GreaterThan(0));
        var found = retained.Find("t.*", levelUp: false);
        Assert.That(found.Select(f => f.Sequence), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (ulong)i)), "every retained message is found, cached or not");
        Assert.That(found.Count(f => f.Message is not null), Is.LessThan(20));
        // The most recent ones are the cached ones; a clear drops its message from the cache too.
        Assert.That(found[^1].Message, Is.Not.Null);
        retained.Apply("t.20", 21, null);
        Assert.That(retained.Find("t.20", levelUp: false), Is.Empty);
        Assert.That(retained.Count, Is.EqualTo(19));
    }

    [Test]
    public async Task Retained_messages_beyond_the_cache_are_read_from_the_stream_on_subscribe()
    {
        await using var server = await MqttServer.StartAsync();
        using var pub = await server.ConnectAsync("rc-pub", MqttProtocolVersion.V500);
        var account = await server.Plugin.Runtime!.AccountAsync(server.Server.Accounts.Global);
        account.Retained.CacheBudget = 4_096;
        for (var i = 0; i < 30; i++)
        {
            await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"rc/{i}").WithPayload(i + ":" + new string('x', 1_000))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        }
        Assert.That(account.Retained.CachedBytes, Is.LessThanOrEqualTo(4_096));

        using var sub = await server.ConnectAsync("rc-sub", MqttProtocolVersion.V500);
        var received = new Received(sub);
        await sub.SubscribeAsync("rc/#", MqttQualityOfServiceLevel.AtLeastOnce);
        var payloads = new HashSet<string>();
        for (var i = 0; i < 30; i++)
        {
            var message = await received.NextAsync();
            Assert.That(message.Retain, Is.True);
            payloads.Add(message.ConvertPayloadToString().Split(':')[0] + "@" + message.Topic);
        }
        Assert.That(payloads, Is.EquivalentTo(Enumerable.Range(0, 30).Select(i => $"{i}@rc/{i}")));
        Assert.That(account.Retained.CachedBytes, Is.LessThanOrEqualTo(4_096));
    }
}
