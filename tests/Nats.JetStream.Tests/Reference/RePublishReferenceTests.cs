using System.Text;
using System.Text.Json;
using NATS.Client.Core;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// Republish (<c>republish: {src, dest, headers_only}</c>): the config checks and the copies
/// published (subject, every header in order, payload), run against nats-server 2.9.10 and this
/// server; both must answer and publish the same.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class RePublishReferenceTests
{
    [Test]
    public async Task Republished_copies_match_nats_server(CancellationToken ct)
    {
        var reference = await SideBySide.RunSameAsync(url => RunScenarioAsync(url, ct));
        var text = string.Join("\n", reference);
        Assert.That(text, Does.Contain("forms a cycle").And.Contain("not valid subset of subjects")
            .And.Contain("out.a.x [Nats-Stream: R1|Nats-Subject: r1.a.b|Nats-Sequence: 4|Nats-Last-Sequence: 3] 333")
            .And.Contain("Nats-Msg-Size: 3] "));
    }

    private static async Task<List<string>> RunScenarioAsync(string url, CancellationToken ct)
    {
        var log = new List<string>();
        await using var c = new NatsConnection(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(10) });
        async Task Api(string step, string api, string body)
        {
            var reply = await c.RequestAsync<string, string>("$JS.API." + api, body, cancellationToken: ct);
            using var doc = JsonDocument.Parse(reply.Data!);
            var root = doc.RootElement;
            log.Add(step + ": " + (root.TryGetProperty("error", out var e)
                ? e.GetProperty("err_code").GetInt32() + " " + e.GetProperty("description").GetString()
                : "ok " + (root.TryGetProperty("config", out var cfg) && cfg.TryGetProperty("republish", out var r)
                    ? $"{r.GetProperty("src").GetString()} -> {r.GetProperty("dest").GetString()} {(r.TryGetProperty("headers_only", out var h) && h.GetBoolean() ? "headers only" : "")}"
                    : "")));
        }

        await Api("source outside the subjects", "STREAM.CREATE.R0", """{"name":"R0","subjects":["r0.>"],"republish":{"src":"q.>","dest":"out.>"}}""");
        await Api("cycle", "STREAM.CREATE.R0", """{"name":"R0","subjects":["r0.>"],"republish":{"src":"r0.>","dest":"r0.x"}}""");
        await Api("wildcard the source lacks", "STREAM.CREATE.R0", """{"name":"R0","subjects":["r0.>"],"republish":{"src":"r0.*","dest":"out.$2"}}""");
        await Api("too many positional wildcards", "STREAM.CREATE.R0", """{"name":"R0","subjects":["r0.>"],"republish":{"src":"r0.*","dest":"out.*.*"}}""");
        await Api("a wildcard in the destination", "STREAM.CREATE.P1", """{"name":"P1","subjects":["p1.*"],"republish":{"src":"p1.*","dest":"q1.*"}}""");
        await Api("> on one side only", "STREAM.CREATE.P2", """{"name":"P2","subjects":["p2.>"],"republish":{"src":"p2.>","dest":"q2.x"}}""");
        await Api("a source wildcard left out", "STREAM.CREATE.P3", """{"name":"P3","subjects":["p3.*"],"republish":{"src":"p3.*","dest":"q3.x"}}""");
        await Api("empty source", "STREAM.CREATE.R0", """{"name":"R0","subjects":["r0.>"],"republish":{"dest":"out.>"}}""");
        await Api("wildcard function", "STREAM.CREATE.R1", """{"name":"R1","subjects":["r1.>"],"republish":{"src":"r1.*.b","dest":"out.{{wildcard(1)}}.x"}}""");
        await Api("headers only", "STREAM.CREATE.R2", """{"name":"R2","subjects":["r2.>"],"storage":"memory","republish":{"src":">","dest":"o2.>","headers_only":true}}""");
        await Api("dollar form", "STREAM.CREATE.R3", """{"name":"R3","subjects":["r3.*"],"republish":{"src":"r3.*","dest":"o3.$1"}}""");
        await Api("update changing it", "STREAM.UPDATE.R1", """{"name":"R1","subjects":["r1.>"],"republish":{"src":"r1.>","dest":"out.>"}}""");
        await Api("update dropping it", "STREAM.UPDATE.R1", """{"name":"R1","subjects":["r1.>"]}""");

        var seen = new List<string>();
        var expected = 7;
        await using var o2 = await c.SubscribeCoreAsync<byte[]>("o2.>", cancellationToken: ct);
        await using var o3 = await c.SubscribeCoreAsync<byte[]>("o3.>", cancellationToken: ct);
        await using var outSub = await c.SubscribeCoreAsync<byte[]>("out.>", cancellationToken: ct);
        await c.PingAsync(ct);
        foreach (var (subject, headers, body) in new (string, NatsHeaders?, string)[]
        {
            ("r1.a.b", null, "one"), ("r1.a.c", null, "not"), ("r2.z", null, "abc"), ("r1.a.b", new NatsHeaders { ["Foo"] = "bar" }, "two"),
            ("r1.a.b", null, "333"), ("r3.k", null, "r3"), ("r0.k", null, "r0"), ("r2.y.w", new NatsHeaders { ["X"] = "1" }, "xyz"),
        })
        {
            // A request, so each message is stored (and republished) before the next.
            await c.RequestAsync<string, string>(subject, body, headers: headers, cancellationToken: ct);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var all = Merge([o2, o3, outSub], timeout.Token);
        await foreach (var msg in all)
        {
            seen.Add(Describe(msg));
            if (seen.Count == expected)
            {
                break;
            }
        }
        seen.Sort(StringComparer.Ordinal);
        log.AddRange(seen);
        return log;
    }

    private static async IAsyncEnumerable<NatsMsg<byte[]>> Merge(INatsSub<byte[]>[] subs, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = System.Threading.Channels.Channel.CreateUnbounded<NatsMsg<byte[]>>();
        async Task Pump(INatsSub<byte[]> s)
        {
            await foreach (var m in s.Msgs.ReadAllAsync(ct))
            {
                await channel.Writer.WriteAsync(m, ct);
            }
        }
        foreach (var s in subs)
        {
            _ = Pump(s);
        }
        while (true)
        {
            NatsMsg<byte[]> m;
            try
            {
                m = await channel.Reader.ReadAsync(ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            yield return m;
        }
    }

    /// <summary>"subject [header: value|…] payload", headers in the order they arrived.</summary>
    private static string Describe(NatsMsg<byte[]> msg)
    {
        var headers = msg.Headers is null ? "" : string.Join("|", msg.Headers.SelectMany(h => h.Value.Select(v => h.Key + ": " + v)));
        return $"{msg.Subject} [{headers}] {Encoding.UTF8.GetString(msg.Data ?? [])}";
    }
}
