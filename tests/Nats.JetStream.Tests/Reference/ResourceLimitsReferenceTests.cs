using System.Text;
using System.Text.Json;
using NATS.Client.Core;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// Account limits (<c>max_mem</c>, <c>max_file</c>, <c>max_streams</c>, <c>max_consumers</c>) and
/// the server's <c>max_memory_store</c> / <c>max_file_store</c>: one scenario of stream creates,
/// updates, consumers and publishes until full, run against nats-server 2.9.10 and this server;
/// every answer (error code, or the sequence a publish got) must agree.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ResourceLimitsReferenceTests
{
    private static string Config(string dir) => $$"""
        jetstream { store_dir: "{{dir}}", max_memory_store: 1M, max_file_store: 2M }
        accounts {
          A { jetstream: { max_mem: 100K, max_file: 200K, max_streams: 5, max_consumers: 3 }, users: [{user: a, password: a}] }
          B { jetstream: enabled, users: [{user: b, password: b}] }
        }
        """;

    [Test]
    public async Task Limits_answer_as_nats_server_does(CancellationToken ct)
    {
        var reference = await SideBySide.RunSameAsync(url => RunScenarioAsync(url, ct), Config);
        // What nats-server answered, so the comparison cannot pass on two servers that answer nothing.
        var text = string.Join("\n", reference);
        Assert.That(text, Does.Contain("A create F1 300000: 10047").And.Contain("A create M1 memory 200000: 10028")
            .And.Contain("A consumer F4 C4: 10026").And.Contain("A publish f4 until full: 10002")
            .And.Contain("B publish b4 until full: 10023").And.Contain("B create B3 250000: 10047"));
    }

    private static async Task<List<string>> RunScenarioAsync(string url, CancellationToken ct)
    {
        var log = new List<string>();
        await using (var a = Connect(url, "a"))
        {
            await Api(a, log, "A create F1 300000", "STREAM.CREATE.F1", """{"name":"F1","subjects":["f1"],"max_bytes":300000}""", ct);
            await Api(a, log, "A create F2 150000", "STREAM.CREATE.F2", """{"name":"F2","subjects":["f2"],"max_bytes":150000}""", ct);
            await Api(a, log, "A create F3 60000", "STREAM.CREATE.F3", """{"name":"F3","subjects":["f3"],"max_bytes":60000}""", ct);
            await Api(a, log, "A create F4", "STREAM.CREATE.F4", """{"name":"F4","subjects":["f4"]}""", ct);
            await Api(a, log, "A create M1 memory 200000", "STREAM.CREATE.M1", """{"name":"M1","subjects":["m1"],"storage":"memory","max_bytes":200000}""", ct);
            await Api(a, log, "A create M2 memory", "STREAM.CREATE.M2", """{"name":"M2","subjects":["m2"],"storage":"memory"}""", ct);
            await Api(a, log, "A update F2 190000", "STREAM.UPDATE.F2", """{"name":"F2","subjects":["f2"],"max_bytes":190000}""", ct);
            await Api(a, log, "A update F2 250000", "STREAM.UPDATE.F2", """{"name":"F2","subjects":["f2"],"max_bytes":250000}""", ct);
            await Api(a, log, "A update F2 100000", "STREAM.UPDATE.F2", """{"name":"F2","subjects":["f2"],"max_bytes":100000}""", ct);
            await Api(a, log, "A create F5 max_consumers 4", "STREAM.CREATE.F5", """{"name":"F5","subjects":["f5"],"max_consumers":4}""", ct);
            await Api(a, log, "A create F5 max_bytes 100001", "STREAM.CREATE.F5", """{"name":"F5","subjects":["f5"],"max_bytes":100001}""", ct);
            foreach (var c in new[] { "C1", "C2", "C3", "C4" })
            {
                await Api(a, log, $"A consumer F4 {c}", $"CONSUMER.CREATE.F4.{c}", $$$"""{"stream_name":"F4","config":{"name":"{{{c}}}","durable_name":"{{{c}}}"}}""", ct);
            }
            await Api(a, log, "A consumer M2 C4", "CONSUMER.CREATE.M2.C4", """{"stream_name":"M2","config":{"name":"C4","durable_name":"C4"}}""", ct);
            await FillAsync(a, log, "A publish m2 until full", "m2", 1000, 200, ct);
            await FillAsync(a, log, "A publish f4 until full", "f4", 1000, 300, ct);
            await PublishAsync(a, log, "A publish f4 small", "f4", "y", null, ct);
            await Api(a, log, "A purge M2", "STREAM.PURGE.M2", "", ct);
            await PublishAsync(a, log, "A publish m2 after purge", "m2", "y", null, ct);
            log.Add("A info " + Limits(await a.RequestAsync<string, string>("$JS.API.INFO", "", cancellationToken: ct)));
        }
        await using (var b = Connect(url, "b"))
        {
            await Api(b, log, "B create B1 3000000", "STREAM.CREATE.B1", """{"name":"B1","subjects":["b1"],"max_bytes":3000000}""", ct);
            await Api(b, log, "B create B2 1700000", "STREAM.CREATE.B2", """{"name":"B2","subjects":["b2"],"max_bytes":1700000}""", ct);
            await Api(b, log, "B create B3 250000", "STREAM.CREATE.B3", """{"name":"B3","subjects":["b3"],"max_bytes":250000}""", ct);
            await Api(b, log, "B create B4", "STREAM.CREATE.B4", """{"name":"B4","subjects":["b4"]}""", ct);
            await Api(b, log, "B create BM memory 2000000", "STREAM.CREATE.BM", """{"name":"BM","subjects":["bm"],"storage":"memory","max_bytes":2000000}""", ct);
            await FillAsync(b, log, "B publish b4 until full", "b4", 10_000, 300, ct);
            var wrong = new NatsHeaders { ["Nats-Expected-Last-Sequence"] = "1" };
            await PublishAsync(b, log, "B publish b4 wrong last sequence", "b4", "y", wrong, ct);
            await Api(b, log, "B purge B4", "STREAM.PURGE.B4", "", ct);
            await PublishAsync(b, log, "B publish b4 after purge", "b4", "y", null, ct);
            log.Add("B info " + Limits(await b.RequestAsync<string, string>("$JS.API.INFO", "", cancellationToken: ct)));
        }
        return log;
    }

    private static NatsConnection Connect(string url, string user) => new(new NatsOpts
    {
        Url = url,
        AuthOpts = new NatsAuthOpts { Username = user, Password = user },
        RequestTimeout = TimeSpan.FromSeconds(10),
    });

    private static async Task Api(NatsConnection c, List<string> log, string step, string api, string body, CancellationToken ct)
    {
        var reply = await c.RequestAsync<string, string>("$JS.API." + api, body, cancellationToken: ct);
        log.Add(step + ": " + Outcome(reply.Data!));
    }

    private static async Task<string> Publish(NatsConnection c, string subject, string body, NatsHeaders? headers, CancellationToken ct) =>
        Outcome((await c.RequestAsync<string, string>(subject, body, headers: headers, cancellationToken: ct)).Data!);

    private static async Task PublishAsync(NatsConnection c, List<string> log, string step, string subject, string body, NatsHeaders? headers, CancellationToken ct) =>
        log.Add(step + ": " + await Publish(c, subject, body, headers, ct));

    /// <summary>Publishes messages of <paramref name="size"/> bytes until one is refused; logs which and why.</summary>
    private static async Task FillAsync(NatsConnection c, List<string> log, string step, string subject, int size, int most, CancellationToken ct)
    {
        var body = new string('x', size);
        for (var i = 0; i < most; i++)
        {
            var outcome = await Publish(c, subject, body, null, ct);
            if (!outcome.StartsWith("seq ", StringComparison.Ordinal))
            {
                log.Add($"{step}: {outcome} after {i}");
                return;
            }
        }
        log.Add($"{step}: never refused in {most}");
    }

    /// <summary>An API answer or pub ack as "err_code" (with the HTTP-like code), "seq N" or "ok".</summary>
    private static string Outcome(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            return error.GetProperty("err_code").GetInt32() + " (" + error.GetProperty("code").GetInt32() + " " + error.GetProperty("description").GetString() + ")";
        }
        return root.TryGetProperty("seq", out var seq) ? "seq " + seq.GetUInt64() : "ok";
    }

    private static string Limits(NatsMsg<string> reply)
    {
        using var doc = JsonDocument.Parse(reply.Data!);
        var root = doc.RootElement;
        var limits = root.GetProperty("limits");
        var text = new StringBuilder();
        foreach (var name in new[] { "max_memory", "max_storage", "max_streams", "max_consumers" })
        {
            text.Append(name).Append('=').Append(limits.GetProperty(name).GetInt64()).Append(' ');
        }
        foreach (var name in new[] { "memory", "storage", "streams", "consumers" })
        {
            text.Append(name).Append('=').Append(root.GetProperty(name).GetInt64()).Append(' ');
        }
        return text.ToString().TrimEnd();
    }
}
