using System.Text.Json;
using Nats.TestSupport;
using NATS.Client.Core;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// Mirrors (plain, filtered from a start sequence, over an origin with a hole): the mirrors'
/// states, their <c>mirror</c> info, gets and the update refusal, against nats-server 2.9.10 and this server.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MirrorReferenceTests
{
    [Test]
    public async Task Mirrors_hold_what_nats_server_mirrors_hold(CancellationToken ct)
    {
        var reference = await SideBySide.RunSameAsync(url => RunScenarioAsync(url, ct));
        Assert.That(string.Join("\n", reference), Does.Contain("ME state 3 msgs, first 6, last 10, deleted 2"));
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
        static string Outcome(JsonElement r) => r.TryGetProperty("error", out var e) ? "error " + e.GetProperty("err_code").GetInt32() : "ok";

        await Api("STREAM.CREATE.MO", """{"name":"MO","subjects":["mo.>"]}""");
        for (var i = 1; i <= 10; i++)
        {
            await c.RequestAsync<string, string>(i % 2 == 0 ? "mo.even" : "mo.odd", $"m{i}", cancellationToken: ct);
        }
        log.Add("delete 4: " + Outcome(await Api("STREAM.MSG.DELETE.MO", """{"seq":4,"no_erase":true}""")));
        log.Add("MM: " + Outcome(await Api("STREAM.CREATE.MM", """{"name":"MM","mirror":{"name":"MO"}}""")));
        log.Add("ME: " + Outcome(await Api("STREAM.CREATE.ME", """{"name":"ME","mirror":{"name":"MO","filter_subject":"mo.even","opt_start_seq":3}}""")));
        log.Add("with subjects: " + Outcome(await Api("STREAM.CREATE.MX", """{"name":"MX","subjects":["x"],"mirror":{"name":"MO"}}""")));
        foreach (var name in new[] { "MM", "ME" })
        {
            await Eventually.TrueAsync(async () => (await Api("STREAM.INFO." + name)).GetProperty("state").GetProperty("last_seq").GetUInt64() == 10
                && (await Api("STREAM.MSG.GET." + name, """{"seq":10}""")).TryGetProperty("message", out _),
                name + " to catch up", TimeSpan.FromSeconds(10));
            var info = await Api("STREAM.INFO." + name);
            var state = info.GetProperty("state");
            var mirror = info.GetProperty("mirror");
            log.Add($"{name} state {state.GetProperty("messages").GetUInt64()} msgs, first {state.GetProperty("first_seq").GetUInt64()}, last {state.GetProperty("last_seq").GetUInt64()}, deleted {state.GetProperty("num_deleted").GetInt32()}, subjects {state.GetProperty("num_subjects").GetInt32()}, bytes {state.GetProperty("bytes").GetUInt64()}");
            log.Add($"{name} mirror {mirror.GetProperty("name").GetString()} lag {mirror.GetProperty("lag").GetUInt64()} active {(mirror.GetProperty("active").GetInt64() >= 0 ? "yes" : "no")}");
        }
        log.Add("MM get 4: " + Outcome(await Api("STREAM.MSG.GET.MM", """{"seq":4}""")));
        var seven = await Api("STREAM.MSG.GET.MM", """{"seq":7}""");
        log.Add("MM get 7: " + seven.GetProperty("message").GetProperty("subject").GetString() + " " + seven.GetProperty("message").GetProperty("data").GetString());
        log.Add("update: " + Outcome(await Api("STREAM.UPDATE.MM", """{"name":"MM","mirror":{"name":"OTHER"}}""")));
        return log;
    }
}
