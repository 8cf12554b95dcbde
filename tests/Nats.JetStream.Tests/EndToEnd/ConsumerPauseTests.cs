using System.Diagnostics;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>Consumer pause (nats-server 2.11) through NATS.Net's PauseConsumerAsync / ResumeConsumerAsync.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ConsumerPauseTests
{
    [Test]
    public async Task A_paused_consumer_delivers_nothing_until_its_time_then_resumes(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("P", ["p.>"]), ct);
        var consumer = await js.CreateOrUpdateConsumerAsync("P", new ConsumerConfig("c") { AckPolicy = ConsumerConfigAckPolicy.Explicit }, ct);

        await using var advisories = await nats.Connection.SubscribeCoreAsync<string>("$JS.EVENT.ADVISORY.CONSUMER.PAUSE.P.c", cancellationToken: ct);
        await nats.PingAsync(ct);
        var until = DateTimeOffset.UtcNow.AddSeconds(3);
        var paused = await js.PauseConsumerAsync("P", "c", until, ct);
        Assert.That(paused.IsPaused, Is.True);
        Assert.That(paused.PauseUntil.ToUnixTimeMilliseconds(), Is.EqualTo(until.ToUnixTimeMilliseconds()));
        Assert.That(paused.PauseRemaining, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(3)));
        var advisory = await advisories.Msgs.ReadAsync(ct);
        Assert.That(advisory.Data, Does.Contain("\"type\":\"io.nats.jetstream.advisory.v1.consumer_pause\"").And.Contain("\"paused\":true"));

        for (var i = 0; i < 3; i++)
        {
            (await js.PublishAsync($"p.{i}", $"m{i}", cancellationToken: ct)).EnsureSuccess();
        }
        await consumer.RefreshAsync(ct);
        Assert.That(consumer.Info.PauseRemaining, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(consumer.Info.Config.PauseUntil?.ToUnixTimeMilliseconds(), Is.EqualTo(until.ToUnixTimeMilliseconds()));

        // A fetch waits while paused and gets the messages once the pause is over, not before.
        var received = new List<string>();
        await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 3, Expires = TimeSpan.FromSeconds(15) }, cancellationToken: ct))
        {
            Assert.That(DateTimeOffset.UtcNow, Is.GreaterThanOrEqualTo(until.AddMilliseconds(-50)), "delivered while paused");
            received.Add(msg.Data!);
            await msg.AckAsync(cancellationToken: ct);
        }
        Assert.That(received, Is.EqualTo(new[] { "m0", "m1", "m2" }));
        await consumer.RefreshAsync(ct);
        Assert.That(consumer.Info.PauseRemaining, Is.Null);
    }

    [Test]
    public async Task Resume_delivers_at_once_and_a_pause_survives_a_restart(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        var js = server.Client().CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("P", ["p.>"]), ct);
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var consumer = await js.CreateOrUpdateConsumerAsync("P", new ConsumerConfig("c") { AckPolicy = ConsumerConfigAckPolicy.Explicit, PauseUntil = later }, ct);
        Assert.That(consumer.Info.PauseRemaining, Is.GreaterThan(TimeSpan.FromMinutes(59)), "created paused");
        (await js.PublishAsync("p.1", "one", cancellationToken: ct)).EnsureSuccess();

        var none = new List<string>();
        await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(1) }, cancellationToken: ct))
        {
            none.Add(msg.Data!);
        }
        Assert.That(none, Is.Empty, "a paused consumer delivers nothing");

        await server.RestartAsync();
        js = server.Client().CreateJetStreamContext();
        consumer = await js.GetConsumerAsync("P", "c", ct);
        Assert.That(consumer.Info.PauseRemaining, Is.GreaterThan(TimeSpan.FromMinutes(59)), "the pause is kept across a restart");

        Assert.That(await js.ResumeConsumerAsync("P", "c", ct), Is.True);
        var watch = Stopwatch.StartNew();
        var got = new List<string>();
        await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(10) }, cancellationToken: ct))
        {
            got.Add(msg.Data!);
        }
        Assert.That(got, Is.EqualTo(new[] { "one" }));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(9)), "delivered on resume, not when the 10 s fetch expired");
        var error = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.PauseConsumerAsync("P", "nope", later, ct))!;
        Assert.That(error.Error.ErrCode, Is.EqualTo(10014));
    }
}
