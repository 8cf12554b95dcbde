using System.Text.Json;
using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

/// <summary>nats.js's JetStream and KV APIs against the server with <c>jetstream {}</c> configured.</summary>
[CancelAfter(BudgetMs)]
public sealed class JetStreamTests : InteropTest
{
    [Test]
    public async Task StreamsConsumersAndKeyValueWorkFromNatsJs()
    {
        var store = Path.Combine(Scope.Dir, "js-store");
        var server = await Scope.StartServerAsync($"jetstream {{ store_dir: \"{store}\" }}");

        var result = await Scope.RunClientAsync(ClientKind.Js, "jetstream-kv", Args(("servers", server.Url)));

        result.AssertOk();
        var acks = result.Get("acks").EnumerateArray().Select(a => (a.GetProperty("stream").GetString(), a.GetProperty("seq").GetInt32())).ToList();
        Assert.That(acks, Is.EqualTo(Enumerable.Range(1, 5).Select(i => ((string?)"ORDERS", i))), result.RawLine);
        var fetched = result.Get("fetched").EnumerateArray().Select(m => m.GetProperty("data").GetString()).ToList();
        Assert.That(fetched, Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"order {i}")), result.RawLine);

        var kv = result.Get("kv");
        Assert.Multiple(() =>
        {
            Assert.That(kv.GetProperty("got").GetProperty("value").GetString(), Is.EqualTo("green"));
            Assert.That(kv.GetProperty("got").GetProperty("revision").GetInt32(), Is.EqualTo(kv.GetProperty("got").GetProperty("r2").GetInt32()));
            Assert.That(kv.GetProperty("old").GetString(), Is.EqualTo("red"));
            Assert.That(kv.GetProperty("staleUpdate").GetString(), Does.Contain("wrong last sequence"));
            Assert.That(kv.GetProperty("history").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "red", "green", "blue" }));
            Assert.That(kv.GetProperty("watched").EnumerateArray().Select(e => e.GetProperty("value").GetString()), Is.EqualTo(new[] { "blue", "black" }));
            Assert.That(kv.GetProperty("deleted").GetString(), Is.EqualTo("DEL"));
            Assert.That(kv.GetProperty("keys").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "color" }));
        });
    }

    /// <summary>libnats's JetStream publish: acks, duplicates, the expected-last-sequence refusal, 200 async publishes in flight.</summary>
    [Test]
    public async Task StreamsAndPublishAcksWorkFromLibnats()
    {
        var store = Path.Combine(Scope.Dir, "js-store-c");
        var server = await Scope.StartServerAsync($"jetstream {{ store_dir: \"{store}\" }}");

        var result = await Scope.RunClientAsync(ClientKind.C, "jetstream", Args(("servers", server.Url)));

        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.String("stream"), Is.EqualTo("CJS"), result.RawLine);
            Assert.That(result.Get("seqs").EnumerateArray().Select(e => e.GetInt64()), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }), result.RawLine);
            Assert.That((result.Long("dup_first_seq"), result.Long("dup_second_seq")), Is.EqualTo((6L, 6L)), result.RawLine);
            Assert.That(result.Get("dup_second_flag").GetBoolean(), Is.True, result.RawLine);
            Assert.That(result.Get("wrong_last_refused").GetBoolean(), Is.True, result.RawLine);
            Assert.That(result.Long("wrong_last_err_code"), Is.EqualTo(10071), result.RawLine);
            Assert.That((result.Long("msgs"), result.Long("last_seq")), Is.EqualTo((206L, 206L)), result.RawLine);
        });
    }
}
