using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// The <c>$JS.EVENT.ADVISORY.&gt;</c> advisories: one scenario (stream create/update/delete,
/// consumer create/delete, nak, term, max deliveries, API requests) run with NATS.Net against
/// the reference nats-server (2.9.10, <c>-js</c>) and against a server with the plugin. Every
/// advisory nats-server sends must come from ours on the same subject with the same <c>type</c>
/// and the same JSON field names.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class AdvisoryReferenceTests
{
    /// <summary>One advisory reduced to what must agree: subject (stream/consumer names kept), type and top-level field names.</summary>
    private sealed record Seen(string Subject, string Type, string Fields, JsonElement Json);

    [Test]
    public async Task Advisories_match_nats_server_subjects_types_and_fields(CancellationToken ct)
    {
        var (reference, ours) = await SideBySide.RunBothAsync(url => RunScenarioAsync(url, ct));

        var kinds = reference.Select(s => (s.Subject, s.Type)).Distinct().ToList();
        Assert.That(kinds.Select(k => k.Type), Is.SupersetOf(new[]
        {
            "io.nats.jetstream.advisory.v1.stream_action", "io.nats.jetstream.advisory.v1.consumer_action",
            "io.nats.jetstream.advisory.v1.api_audit", "io.nats.jetstream.advisory.v1.terminated",
            "io.nats.jetstream.advisory.v1.max_deliver",
        }), "the reference scenario must exercise every kind");
        foreach (var (subject, type) in kinds)
        {
            var theirs = reference.Where(s => s.Subject == subject && s.Type == type).ToList();
            var mine = ours.Where(s => s.Subject == subject && s.Type == type).ToList();
            Assert.That(mine, Is.Not.Empty, $"{subject} {type}: nats-server sent it, we did not");
            Assert.That(mine.Select(s => s.Fields).Distinct(), Is.EquivalentTo(theirs.Select(s => s.Fields).Distinct()),
                $"{subject} {type}: field names");
        }

        // Values that must agree beyond the names.
        var create = ours.Single(s => s.Subject == "$JS.EVENT.ADVISORY.STREAM.CREATED.ADV");
        Assert.That((create.Json.GetProperty("stream").GetString(), create.Json.GetProperty("action").GetString()), Is.EqualTo(("ADV", "create")));
        Assert.That(ours.Single(s => s.Subject == "$JS.EVENT.ADVISORY.STREAM.UPDATED.ADV").Json.GetProperty("action").GetString(), Is.EqualTo("modify"));
        var max = ours.First(s => s.Type.EndsWith("max_deliver", StringComparison.Ordinal)).Json;
        var theirMax = reference.First(s => s.Type.EndsWith("max_deliver", StringComparison.Ordinal)).Json;
        Assert.That((max.GetProperty("stream_seq").GetUInt64(), max.GetProperty("deliveries").GetUInt64()),
            Is.EqualTo((theirMax.GetProperty("stream_seq").GetUInt64(), theirMax.GetProperty("deliveries").GetUInt64())));
        var term = ours.First(s => s.Type.EndsWith("terminated", StringComparison.Ordinal)).Json;
        Assert.That((term.GetProperty("stream_seq").GetUInt64(), term.GetProperty("consumer_seq").GetUInt64(), term.GetProperty("deliveries").GetUInt64()),
            Is.EqualTo((1UL, 2UL, 2UL)));
        var audit = ours.First(s => s.Subject == "$JS.EVENT.ADVISORY.API" && s.Json.GetProperty("subject").GetString() == "$JS.API.STREAM.CREATE.ADV").Json;
        Assert.That(audit.GetProperty("request").GetString(), Does.Contain("\"name\":\"ADV\""));
        Assert.That(audit.GetProperty("response").GetString(), Does.Contain("io.nats.jetstream.api.v1.stream_create_response"));
        Assert.That(audit.GetProperty("client").GetProperty("acc").GetString(), Is.EqualTo("$G"));
        Assert.That(audit.GetProperty("id").GetString(), Has.Length.EqualTo(22));
        Assert.That(audit.GetProperty("timestamp").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"), "Go's RFC 3339 in UTC");
        // nats-server 2.11+ also sends MSG_NAKED; 2.9.10 does not, so only its shape is checked here.
        var nak = ours.Single(s => s.Subject == "$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.ADV.C");
        Assert.That((nak.Type, nak.Fields), Is.EqualTo(("io.nats.jetstream.advisory.v1.nak", "consumer,consumer_seq,deliveries,id,stream,stream_seq,timestamp,type")));
    }

    private static async Task<List<Seen>> RunScenarioAsync(string url, CancellationToken ct)
    {
        await using var nats = new NatsClient(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(10) });
        var seen = new ConcurrentQueue<Seen>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ready = new TaskCompletionSource();
        var listener = Task.Run(async () =>
        {
            var sub = await nats.Connection.SubscribeCoreAsync<byte[]>("$JS.EVENT.>", cancellationToken: stop.Token);
            await nats.Connection.PingAsync(stop.Token);
            ready.SetResult();
            await foreach (var msg in sub.Msgs.ReadAllAsync(stop.Token))
            {
                var json = JsonDocument.Parse(msg.Data ?? []).RootElement.Clone();
                var fields = string.Join(",", json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                seen.Enqueue(new Seen(msg.Subject, json.GetProperty("type").GetString()!, fields, json));
            }
        }, stop.Token);
        await ready.Task.WaitAsync(ct);

        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("ADV", ["adv.>"]), ct);
        await js.UpdateStreamAsync(new StreamConfig("ADV", ["adv.>"]) { MaxMsgs = 100 }, ct);
        var consumer = await js.CreateOrUpdateConsumerAsync("ADV", new ConsumerConfig("C")
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit, MaxDeliver = 2, AckWait = TimeSpan.FromSeconds(1),
        }, ct);
        (await js.PublishAsync("adv.a", "one", cancellationToken: ct)).EnsureSuccess();

        // Message 1: delivered, naked, delivered again, terminated with a reason.
        var first = await SideBySide.FetchOneAsync(consumer, ct);
        await first.NakAsync(cancellationToken: ct);
        var again = await SideBySide.FetchOneAsync(consumer, ct);
        Assert.That(again.Metadata!.Value.Sequence.Stream, Is.EqualTo(1UL));
        await again.AckTerminateAsync(cancellationToken: ct);

        // Message 2: delivered twice without an ack; the next pull finds it past max_deliver.
        (await js.PublishAsync("adv.b", "two", cancellationToken: ct)).EnsureSuccess();
        await SideBySide.FetchOneAsync(consumer, ct);
        await SideBySide.FetchOneAsync(consumer, ct);
        await Eventually.TrueAsync(async () =>
        {
            await foreach (var _ in consumer.FetchNoWaitAsync<string>(new NatsJSFetchOpts { MaxMsgs = 1 }, cancellationToken: ct))
            {
            }
            return seen.Any(s => s.Type.EndsWith("max_deliver", StringComparison.Ordinal));
        }, "the max deliveries advisory", TimeSpan.FromSeconds(15));

        await js.DeleteConsumerAsync("ADV", "C", ct);
        await js.DeleteStreamAsync("ADV", ct);
        await Eventually.TrueAsync(() => Task.FromResult(seen.Any(s => s.Subject == "$JS.EVENT.ADVISORY.STREAM.DELETED.ADV")
            && seen.Count(s => s.Subject == "$JS.EVENT.ADVISORY.API" && s.Json.GetProperty("subject").GetString() == "$JS.API.STREAM.DELETE.ADV") == 1),
            "the delete advisories", TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        try
        {
            await listener;
        }
        catch (OperationCanceledException)
        {
        }
        return [.. seen];
    }
}
