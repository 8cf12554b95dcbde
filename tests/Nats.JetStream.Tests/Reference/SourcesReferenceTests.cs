using System.Text;
using System.Text.Json;
using Nats.TestSupport;
using NATS.Client.Core;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// Stream sources (two origins, a filter, a start sequence, the stream's own subjects): what the
/// sourcing streams hold (subjects, payloads, the <c>Nats-Stream-Source</c> header), their states
/// and <c>sources</c> info, against nats-server 2.9.10 and this server.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SourcesReferenceTests
{
    [Test]
    public async Task Sourced_streams_hold_what_nats_server_puts_in_them(CancellationToken ct)
    {
        var reference = await SideBySide.RunSameAsync(url => RunScenarioAsync(url, ct));
        Assert.That(string.Join("\n", reference), Does.Contain("so.odd m3 [Nats-Stream-Source: SO 3]"));
    }

    private static async Task<List<string>> RunScenarioAsync(string url, CancellationToken ct)
    {
        var log = new List<string>();
        await using var c = new NatsConnection(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(10) });
        async Task<JsonElement> Api(string api, string body = "")
        {
            var reply = await c.RequestAsync<string, string>("$JS.API." + api, body, cancellationToken: ct);
            return JsonDocument.Parse(reply.Data!).RootElement.Clone();
        }

        await Api("STREAM.CREATE.SO", """{"name":"SO","subjects":["so.>"]}""");
        await Api("STREAM.CREATE.SP", """{"name":"SP","subjects":["sp.>"]}""");
        for (var i = 1; i <= 5; i++)
        {
            await c.RequestAsync<string, string>(i % 2 == 0 ? "so.even" : "so.odd", $"m{i}", cancellationToken: ct);
        }
        await c.RequestAsync<string, string>("sp.x", "p1", headers: new NatsHeaders { ["Foo"] = "bar" }, cancellationToken: ct);
        await Api("STREAM.CREATE.SS", """{"name":"SS","subjects":["ss"],"sources":[{"name":"SO","filter_subject":"so.odd"},{"name":"SP"}]}""");
        await Api("STREAM.CREATE.ST", """{"name":"ST","sources":[{"name":"SO","opt_start_seq":4}]}""");
        await c.RequestAsync<string, string>("ss", "own", cancellationToken: ct);
        await c.RequestAsync<string, string>("so.odd", "m7", cancellationToken: ct);
        foreach (var (name, count) in new[] { ("SS", 6UL), ("ST", 3UL) })
        {
            // Counted, and the last one readable (stored and durable).
            await Eventually.TrueAsync(async () => (await Api("STREAM.INFO." + name)).GetProperty("state").GetProperty("messages").GetUInt64() == count
                && (await Api("STREAM.MSG.GET." + name, $$"""{"seq":{{count}}}""")).TryGetProperty("message", out _),
                name + " to have " + count, TimeSpan.FromSeconds(10));
            var info = await Api("STREAM.INFO." + name);
            var state = info.GetProperty("state");
            log.Add($"{name} state {state.GetProperty("messages").GetUInt64()} msgs, last {state.GetProperty("last_seq").GetUInt64()}, bytes {state.GetProperty("bytes").GetUInt64()}, subjects {state.GetProperty("num_subjects").GetInt32()}");
            log.Add($"{name} sources " + string.Join(",", info.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("name").GetString() + " lag " + s.GetProperty("lag").GetUInt64()).Order()));
            var messages = new List<string>();
            for (var seq = 1UL; seq <= count; seq++)
            {
                var m = (await Api("STREAM.MSG.GET." + name, $$"""{"seq":{{seq}}}""")).GetProperty("message");
                var headers = m.TryGetProperty("hdrs", out var h) ? Encoding.UTF8.GetString(Convert.FromBase64String(h.GetString()!)).Replace("NATS/1.0\r\n", "").Trim().Replace("\r\n", "|") : "";
                messages.Add($"{m.GetProperty("subject").GetString()} {Encoding.UTF8.GetString(Convert.FromBase64String(m.GetProperty("data").GetString()!))} [{headers}]");
            }
            // Two sources interleave as they are copied; each source's own order is kept.
            log.AddRange(name == "SS" ? messages.Order(StringComparer.Ordinal) : messages);
            if (name == "SS")
            {
                log.Add("SS order of SO: " + string.Join(",", messages.Where(m => m.StartsWith("so.", StringComparison.Ordinal))));
            }
        }
        return log;
    }
}
