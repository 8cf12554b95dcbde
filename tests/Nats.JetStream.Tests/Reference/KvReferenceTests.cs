using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// A key/value bucket as NATS.Net drives it (puts, create and update with their revision checks,
/// delete and purge markers, history, watches with and without history, keys, purging deletes),
/// against nats-server 2.9.10 and this server: what the client sees and what the bucket's stream
/// holds afterwards (every message's subject, headers and data) must agree.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class KvReferenceTests
{
    [Test]
    public async Task Kv_operations_markers_and_watches_match_nats_server(CancellationToken ct)
    {
        var reference = await SideBySide.RunSameAsync(url => RunScenarioAsync(url, ct));
        var text = string.Join("\n", reference);
        Assert.That(text, Does.Contain("history b: 2 Put v2 | 4 Del - | 5 Put v3").And.Contain("KV-Operation: PURGE"));
    }

    /// <summary>Keeps a line and shows it while the test runs (a stuck step is then visible).</summary>
    internal static void Add(List<string> log, string line)
    {
        log.Add(line);
        TestContext.Progress.WriteLine(line);
    }

    private static async Task<List<string>> RunScenarioAsync(string url, CancellationToken ct)
    {
        var log = new List<string>();
        await using var nats = new NatsClient(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(10) });
        var kv = nats.CreateKeyValueStoreContext();
        var store = await kv.CreateStoreAsync(new NatsKVConfig("kvr") { History = 3 }, ct);

        async Task Try(string what, Func<Task<ulong>> op)
        {
            try
            {
                Add(log, $"{what}: rev {await op()}");
            }
            catch (NatsKVException e)
            {
                Add(log, $"{what}: {e.GetType().Name}");
            }
        }
        await Try("put b v1", () => store.PutAsync("b", "v1", cancellationToken: ct).AsTask());
        await Try("put b v2", () => store.PutAsync("b", "v2", cancellationToken: ct).AsTask());
        await Try("put c v1", () => store.PutAsync("c", "v1", cancellationToken: ct).AsTask());
        await Try("create b", () => store.CreateAsync("b", "x", cancellationToken: ct).AsTask());
        await Try("update b at 1", () => store.UpdateAsync("b", "x", 1, cancellationToken: ct).AsTask());
        await store.DeleteAsync("b", cancellationToken: ct);
        await Try("create b after delete", () => store.CreateAsync("b", "v3", cancellationToken: ct).AsTask());
        await store.DeleteAsync("c", cancellationToken: ct);
        await Try("put d v1", () => store.PutAsync("d", "v1", cancellationToken: ct).AsTask());
        await Try("put d v2", () => store.PutAsync("d", "v2", cancellationToken: ct).AsTask());
        await Try("put d v3", () => store.PutAsync("d", "v3", cancellationToken: ct).AsTask());
        await Try("put d v4", () => store.PutAsync("d", "v4", cancellationToken: ct).AsTask());
        await store.PurgeAsync("d", cancellationToken: ct);
        await Try("update d at last with last-revision 0", () => store.UpdateAsync("d", "v5", 0, cancellationToken: ct).AsTask());
        await Try("put e v1", () => store.PutAsync("e", "v1", cancellationToken: ct).AsTask());

        static string Entry(NatsKVEntry<string> e) => $"{e.Revision} {e.Operation} {e.Value ?? "-"}";
        foreach (var key in new[] { "b", "c", "d", "e" })
        {
            var history = new List<string>();
            try
            {
                await foreach (var e in store.HistoryAsync<string>(key, cancellationToken: ct))
                {
                    history.Add(Entry(e));
                }
            }
            catch (NatsKVException e)
            {
                history.Add(e.GetType().Name);
            }
            Add(log, $"history {key}: " + string.Join(" | ", history));
            try
            {
                Add(log, $"get {key}: " + Entry(await store.GetEntryAsync<string>(key, cancellationToken: ct)));
            }
            catch (NatsKVException e)
            {
                Add(log, $"get {key}: {e.GetType().Name}");
            }
        }
        Add(log, "get b at 2: " + Entry(await store.GetEntryAsync<string>("b", revision: 2, cancellationToken: ct)));

        // A watch of a bucket with values ends its initial values with the entry whose delta is 0.
        async Task Watch(string what, NatsKVWatchOpts opts)
        {
            var seen = new List<string>();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await foreach (var e in store.WatchAsync<string>(opts: opts, cancellationToken: limit.Token))
                {
                    seen.Add($"{e.Key}:{Entry(e)} delta {e.Delta}");
                    if (e.Delta == 0)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                seen.Add("(no last entry in 10 s)");
            }
            Add(log, $"watch {what}: " + string.Join(" | ", seen));
        }
        await Watch("latest", new NatsKVWatchOpts());
        await Watch("with history", new NatsKVWatchOpts { IncludeHistory = true });
        await Watch("ignoring deletes", new NatsKVWatchOpts { IgnoreDeletes = true });
        await Watch("meta only", new NatsKVWatchOpts { MetaOnly = true });

        var keys = new List<string>();
        await foreach (var k in store.GetKeysAsync(cancellationToken: ct))
        {
            keys.Add(k);
        }
        Add(log, "keys: " + string.Join(",", keys.Order(StringComparer.Ordinal)));

        await StreamContentsAsync(nats, "KV_kvr", log, ct);
        await store.PurgeDeletesAsync(new NatsKVPurgeOpts { DeleteMarkersThreshold = TimeSpan.Zero }, ct);
        Add(log, "after purging deletes");
        await StreamContentsAsync(nats, "KV_kvr", log, ct);
        var status = await store.GetStatusAsync(ct);
        Add(log, $"status: values {status.Info.State.Messages} history {status.Info.Config.MaxMsgsPerSubject}");
        return log;
    }

    /// <summary>The stream's state and every stored message (subject, headers, data) by sequence.</summary>
    internal static async Task StreamContentsAsync(NatsClient nats, string stream, List<string> log, CancellationToken ct, Func<byte[], string>? showData = null)
    {
        showData ??= Encoding.UTF8.GetString;
        async Task<JsonElement> Api(string api, string body = "")
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            var reply = await nats.Connection.RequestAsync<string, string>("$JS.API." + api, body, cancellationToken: limit.Token);
            return JsonDocument.Parse(reply.Data!).RootElement.Clone();
        }
        var state = (await Api("STREAM.INFO." + stream)).GetProperty("state");
        ulong first = state.GetProperty("first_seq").GetUInt64(), last = state.GetProperty("last_seq").GetUInt64();
        Add(log, $"{stream} state: {state.GetProperty("messages").GetUInt64()} msgs, first {first}, last {last}, subjects {(state.TryGetProperty("num_subjects", out var n) ? n.GetInt32() : 0)}, deleted {(state.TryGetProperty("num_deleted", out var d) ? d.GetInt32() : 0)}");
        for (var seq = first; seq <= last && seq > 0; seq++)
        {
            var r = await Api("STREAM.MSG.GET." + stream, $$"""{"seq":{{seq}}}""");
            if (!r.TryGetProperty("message", out var m))
            {
                Add(log, $"  {seq}: error {r.GetProperty("error").GetProperty("err_code").GetInt32()}");
                continue;
            }
            var headers = m.TryGetProperty("hdrs", out var h) ? Encoding.UTF8.GetString(h.GetBytesFromBase64()).Replace("\r\n", "|") : "";
            var data = showData(m.TryGetProperty("data", out var b) ? b.GetBytesFromBase64() : []);
            Add(log, $"  {seq}: {m.GetProperty("subject").GetString()} [{headers}] {data}");
        }
    }
}
