using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// A pull consumer's state once a message went past max_deliver, then after the next message is
/// acked and after a late ack of the dead one: the same NATS.Net steps against nats-server 2.9.10
/// and against this server, the consumer info compared field by field.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class MaxDeliverReferenceTests
{
    /// <summary>What the consumer info says at one step.</summary>
    private sealed record Step(string Name, string Floor, string Rest);

    [Test]
    public async Task Consumer_state_after_max_deliver_matches_nats_server(CancellationToken ct)
    {
        var (reference, ours) = await SideBySide.RunBothAsync(url => RunScenarioAsync(url, ct));

        Assert.That(ours.Select(s => s.Name), Is.EqualTo(reference.Select(s => s.Name)));
        Assert.That(ours.Select(s => s.Rest), Is.EqualTo(reference.Select(s => s.Rest)),
            "delivered, num_ack_pending, num_redelivered, num_pending, num_waiting at each step");
        Assert.That(reference[0].Rest, Does.Contain("ack_pending 0 redelivered 1"), "the scenario reached max_deliver on nats-server");
        // The one difference, on purpose: 2.9.10 leaves the ack floor behind a message that went
        // past max_deliver until nothing is pending; current nats-server moves it over the dead
        // message ("Move ack floor if MaxDeliver exceeded", 982db7699), as this server does.
        Assert.That((reference[0].Floor, ours[0].Floor), Is.EqualTo(("0/0", "2/1")), reference[0].Name);
        Assert.That(ours.Skip(1).Select(s => s.Floor), Is.EqualTo(reference.Skip(1).Select(s => s.Floor)));
    }

    private static async Task<List<Step>> RunScenarioAsync(string url, CancellationToken ct)
    {
        await using var nats = new NatsClient(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(10) });
        var maxDeliveries = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var advisories = await nats.Connection.SubscribeCoreAsync<byte[]>("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>", cancellationToken: stop.Token);
        var listener = Task.Run(async () =>
        {
            await foreach (var _ in advisories.Msgs.ReadAllAsync(stop.Token))
            {
                Interlocked.Increment(ref maxDeliveries);
            }
        }, stop.Token);
        await nats.Connection.PingAsync(ct);

        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("MD", ["md.>"]), ct);
        var consumer = await js.CreateOrUpdateConsumerAsync("MD", new ConsumerConfig("C")
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit, MaxDeliver = 2, AckWait = TimeSpan.FromSeconds(1),
        }, ct);
        (await js.PublishAsync("md.a", "one", cancellationToken: ct)).EnsureSuccess();

        // Delivered twice, never acked; once the second ack wait ends the message is past max_deliver.
        // nats-server 2.9.10 notices at the next pull, this server (as nats-server 2.11+) when the
        // wait ends: pulls until the advisory has come.
        await SideBySide.FetchOneAsync(consumer, ct);
        var last = await SideBySide.FetchOneAsync(consumer, ct);
        Assert.That(last.Metadata!.Value.NumDelivered, Is.EqualTo(2UL));
        await Eventually.TrueAsync(async () =>
        {
            await foreach (var _ in consumer.FetchNoWaitAsync<string>(new NatsJSFetchOpts { MaxMsgs = 1 }, cancellationToken: ct))
            {
            }
            return Volatile.Read(ref maxDeliveries) == 1;
        }, "the max deliveries advisory", TimeSpan.FromSeconds(15));
        var steps = new List<Step> { await InfoAsync(nats, "past max_deliver", ct) };

        (await js.PublishAsync("md.b", "two", cancellationToken: ct)).EnsureSuccess();
        var next = await SideBySide.FetchOneAsync(consumer, ct);
        Assert.That(next.Metadata!.Value.Sequence.Stream, Is.EqualTo(2UL));
        await next.AckAsync(new AckOpts { DoubleAck = true }, ct);
        steps.Add(await InfoAsync(nats, "the next message acked", ct));

        await last.AckAsync(new AckOpts { DoubleAck = true }, ct);
        steps.Add(await InfoAsync(nats, "a late ack of the dead message", ct));

        await stop.CancelAsync();
        try
        {
            await listener;
        }
        catch (OperationCanceledException)
        {
        }
        return steps;
    }

    private static async Task<Step> InfoAsync(NatsClient nats, string name, CancellationToken ct)
    {
        var reply = await nats.Connection.RequestAsync<byte[], byte[]>("$JS.API.CONSUMER.INFO.MD.C", [], cancellationToken: ct);
        var info = JsonDocument.Parse(reply.Data ?? []).RootElement;
        static string Seqs(JsonElement e) => $"{e.GetProperty("consumer_seq").GetUInt64()}/{e.GetProperty("stream_seq").GetUInt64()}";
        var rest = $"delivered {Seqs(info.GetProperty("delivered"))} ack_pending {info.GetProperty("num_ack_pending").GetInt32()}"
            + $" redelivered {info.GetProperty("num_redelivered").GetInt32()} pending {info.GetProperty("num_pending").GetUInt64()}"
            + $" waiting {info.GetProperty("num_waiting").GetInt32()}";
        return new Step(name, Seqs(info.GetProperty("ack_floor")), rest);
    }
}
