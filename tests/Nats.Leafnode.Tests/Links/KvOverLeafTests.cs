using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using NATS.Client.ObjectStore;
using NATS.Client.ObjectStore.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// KV and object store of the hub used by a leaf's clients, as nats-server 2.9.10 lets them: with
/// the hub's domain (<c>$JS.hub.API.$KV.bucket.key</c> puts, mapped on the hub to <c>$KV.…</c> by
/// the domain mappings it adds to the link's account), and without it through the leaf's
/// <c>default_js_domain</c> (the reversed mappings on the leaf).
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
[NonParallelizable]
public sealed class KvOverLeafTests
{
    private static string HubConfig(int leafPort, string storeDir) => $$"""
        jetstream { store_dir: "{{storeDir}}", domain: hub }
        leafnodes { listen: "127.0.0.1:{{leafPort}}", authorization { user: leaf, password: pw } }
        """;

    private static string LeafConfig(int hubLeafPort, string extra = "") => $$"""
        {{extra}}
        leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{hubLeafPort}}" } ] }
        """;

    private static NatsClient Client(OurServer server) => new(new NatsOpts { Url = $"nats://127.0.0.1:{server.Port}", RequestTimeout = TimeSpan.FromSeconds(10) });

    internal static NatsJSContext Js(NatsClient client, string? domain) =>
        domain is null ? new NatsJSContext(client.Connection) : new NatsJSContext(client.Connection, new NatsJSOpts(client.Connection.Opts, domain: domain));

    private static async Task<(OurServer Hub, OurServer Leaf)> StartAsync(TempDirectory store, string leafExtra = "", ListLoggerProvider? hubLogs = null, ListLoggerProvider? leafLogs = null)
    {
        var port = FreePorts.Take();
        var hub = await OurServer.StartAsync(HubConfig(port, store.Path), hubLogs, jetStream: true);
        var leaf = await OurServer.StartAsync(LeafConfig(port, leafExtra), leafLogs, jetStream: true);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("$JS.hub.API.$KV.b.k"), "the hub announces its domain mappings");
        return (hub, leaf);
    }

    /// <summary>Puts, reads, watches and deletes through <paramref name="leafKv"/>; the hub's own client sees the same bucket.</summary>
    internal static async Task UseBucketAsync(NatsKVContext leafKv, NatsKVContext hubKv, CancellationToken ct)
    {
        var store = await leafKv.CreateStoreAsync(new NatsKVConfig("cfg") { History = 5 }, ct);
        Assert.That(await store.PutAsync("color", "red", cancellationToken: ct), Is.EqualTo(1UL));
        Assert.That(await store.PutAsync("color", "blue", cancellationToken: ct), Is.EqualTo(2UL));
        var entry = await store.GetEntryAsync<string>("color", cancellationToken: ct);
        Assert.That((entry.Value, entry.Revision), Is.EqualTo(("blue", 2UL)));
        Assert.That(await store.UpdateAsync("color", "green", 2, cancellationToken: ct), Is.EqualTo(3UL), "a compare-and-set put (expected last subject sequence)");

        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        watchStop.CancelAfter(TimeSpan.FromSeconds(20));
        var seen = new List<string?>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in store.WatchAsync<string>("color", cancellationToken: watchStop.Token))
            {
                seen.Add(e.Value);
                if (e.Value == "white")
                {
                    return;
                }
            }
        }, ct);
        await Leaf.UntilAsync(() => seen.Contains("green"), "the watch starts with the current value");
        await store.PutAsync("color", "white", cancellationToken: ct);
        await watching;

        var history = new List<string?>();
        await foreach (var e in store.HistoryAsync<string>("color", cancellationToken: ct))
        {
            history.Add(e.Value);
        }
        Assert.That(history, Is.EqualTo(new[] { "red", "blue", "green", "white" }));

        var onHub = await (await hubKv.GetStoreAsync("cfg", ct)).GetEntryAsync<string>("color", cancellationToken: ct);
        Assert.That((onHub.Value, onHub.Revision), Is.EqualTo(("white", 4UL)), "the hub's bucket holds what the leaf put");
        await store.DeleteAsync("color", cancellationToken: ct);
        Assert.ThrowsAsync<NatsKVKeyDeletedException>(async () => await store.GetEntryAsync<string>("color", cancellationToken: ct));
    }

    /// <summary>
    /// nats.go's KV with a domain puts on <c>$JS.hub.API.$KV.cfg.key</c> (its <c>useJSPfx</c>): the hub
    /// maps that to <c>$KV.cfg.key</c> for the leaf's account. NATS.Net reads through the domain.
    /// </summary>
    [Test]
    public async Task A_leaf_client_puts_kv_entries_through_the_hubs_domain_and_reads_them_back(CancellationToken ct)
    {
        using var store = new TempDirectory();
        var hubLogs = new ListLoggerProvider(LogLevel.Information);
        var (hub, leaf) = await StartAsync(store, hubLogs: hubLogs);
        await using (hub)
        await using (leaf)
        {
            Assert.That(hubLogs.Contains("Adding JetStream Domain Mapping \"$JS.hub.API.$KV.>\" -> $KV.> to account \"$G\""), Is.True, "the hub logs its mappings as nats-server");
            await using var leafClient = Client(leaf);
            await PutThroughDomainAndReadAsync(leafClient, ct);
        }
    }

    /// <summary>Puts on <c>$JS.hub.API.$KV.cfg.color</c> as nats.go does, reads back with NATS.Net through the domain.</summary>
    internal static async Task PutThroughDomainAndReadAsync(NatsClient leafClient, CancellationToken ct)
    {
        var bucket = await new NatsKVContext(Js(leafClient, "hub")).CreateStoreAsync(new NatsKVConfig("cfg") { History = 5 }, ct);
        foreach (var (value, seq) in new[] { ("red", 1), ("blue", 2) })
        {
            var ack = await leafClient.Connection.RequestAsync<string, string>("$JS.hub.API.$KV.cfg.color", value, cancellationToken: ct);
            Assert.That(ack.Data, Does.Contain("\"stream\":\"KV_cfg\"").And.Contain($"\"seq\":{seq}").And.Contain("\"domain\":\"hub\""), "the stream's publish ack");
        }
        var entry = await bucket.GetEntryAsync<string>("color", cancellationToken: ct);
        Assert.That((entry.Value, entry.Revision), Is.EqualTo(("blue", 2UL)));
        var history = new List<string?>();
        await foreach (var e in bucket.HistoryAsync<string>("color", cancellationToken: ct))
        {
            history.Add(e.Value);
        }
        Assert.That(history, Is.EqualTo(new[] { "red", "blue" }));
    }

    /// <summary>
    /// NATS.Net's KV puts on <c>$KV.cfg.key</c> whatever its domain (it has no <c>useJSPfx</c>), and
    /// <c>$KV.&gt;</c> never crosses a leaf link (nats-server's deny): the leaf's
    /// <c>default_js_domain</c> maps it into the hub's domain, and everything of the bucket works.
    /// </summary>
    [Test]
    public async Task NATS_Net_kv_with_the_hubs_domain_works_from_a_leaf_with_default_js_domain(CancellationToken ct)
    {
        using var store = new TempDirectory();
        var (hub, leaf) = await StartAsync(store, leafExtra: "default_js_domain: { $G: hub }");
        await using (hub)
        await using (leaf)
        {
            await using var leafClient = Client(leaf);
            await using var hubClient = Client(hub);
            await UseBucketAsync(new NatsKVContext(Js(leafClient, "hub")), new NatsKVContext(Js(hubClient, null)), ct);
        }
    }

    [Test]
    public async Task A_leaf_client_puts_and_gets_a_chunked_object_of_the_hub_through_its_domain(CancellationToken ct)
    {
        using var store = new TempDirectory();
        var (hub, leaf) = await StartAsync(store);
        await using (hub)
        await using (leaf)
        {
            await using var leafClient = Client(leaf);
            var objects = await new NatsObjContext(Js(leafClient, "hub")).CreateObjectStoreAsync("files", ct);
            await Leaf.UntilAsync(() => leaf.HasLeafInterest("$O.files.C.x"), "the bucket's chunk subjects reach the leaf");
            var data = new byte[300_000];
            new Random(5).NextBytes(data);
            var meta = await objects.PutAsync(new ObjectMetadata { Name = "blob.bin", Options = new MetaDataOptions { MaxChunkSize = 32 * 1024 } }, new MemoryStream(data), cancellationToken: ct);
            Assert.That((meta.Size, meta.Chunks), Is.EqualTo((300_000, 10)));
            Assert.That(SHA256.HashData(await objects.GetBytesAsync("blob.bin", ct)), Is.EqualTo(SHA256.HashData(data)));

            await using var hubClient = Client(hub);
            var onHub = await new NatsObjContext(Js(hubClient, null)).GetObjectStoreAsync("files", ct);
            Assert.That(SHA256.HashData(await onHub.GetBytesAsync("blob.bin", ct)), Is.EqualTo(SHA256.HashData(data)), "the hub reads what the leaf put");
        }
    }

    [Test]
    public async Task With_default_js_domain_a_leaf_client_without_a_domain_reaches_the_hubs_kv(CancellationToken ct)
    {
        using var store = new TempDirectory();
        var leafLogs = new ListLoggerProvider(LogLevel.Information);
        var (hub, leaf) = await StartAsync(store, leafExtra: "default_js_domain: { $G: hub }", leafLogs: leafLogs);
        await using (hub)
        await using (leaf)
        {
            Assert.That(leafLogs.Contains("Adding default domain mapping \"$KV.>\" -> \"$JS.hub.API.$KV.>\" to account \"$G\""), Is.True);
            await using var leafClient = Client(leaf);
            await using var hubClient = Client(hub);
            var info = await Js(leafClient, null).GetAccountInfoAsync(ct);
            Assert.That(info.Domain, Is.EqualTo("hub"), "$JS.API.INFO on the leaf is the hub's");
            await UseBucketAsync(new NatsKVContext(Js(leafClient, null)), new NatsKVContext(Js(hubClient, null)), ct);
        }
    }
}
