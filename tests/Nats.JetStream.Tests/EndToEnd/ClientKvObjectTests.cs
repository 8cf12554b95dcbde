using System.Security.Cryptography;
using NATS.Client.KeyValueStore;
using NATS.Client.ObjectStore;
using NATS.Client.ObjectStore.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>NATS.Net's key/value and object stores against a server running the plugin.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientKvObjectTests
{
    [Test]
    public async Task Kv_put_get_update_delete_history_and_keys(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var kv = nats.CreateKeyValueStoreContext();
        var store = await kv.CreateStoreAsync(new NatsKVConfig("config") { History = 5 }, ct);

        var r1 = await store.PutAsync("color", "red", cancellationToken: ct);
        var r2 = await store.PutAsync("color", "green", cancellationToken: ct);
        await store.PutAsync("size", "xl", cancellationToken: ct);
        var entry = await store.GetEntryAsync<string>("color", cancellationToken: ct);
        Assert.That((entry.Value, entry.Revision), Is.EqualTo(("green", r2)));
        var old = await store.GetEntryAsync<string>("color", revision: r1, cancellationToken: ct);
        Assert.That(old.Value, Is.EqualTo("red"));

        var r4 = await store.UpdateAsync("color", "blue", r2, cancellationToken: ct);
        Assert.ThrowsAsync<NatsKVWrongLastRevisionException>(async () => await store.UpdateAsync("color", "pink", r2, cancellationToken: ct));
        Assert.ThrowsAsync<NatsKVCreateException>(async () => await store.CreateAsync("size", "s", cancellationToken: ct));

        var history = new List<string?>();
        await foreach (var e in store.HistoryAsync<string>("color", cancellationToken: ct))
        {
            history.Add(e.Value);
        }
        Assert.That(history, Is.EqualTo(new[] { "red", "green", "blue" }));

        await store.DeleteAsync("size", cancellationToken: ct);
        Assert.ThrowsAsync<NatsKVKeyDeletedException>(async () => await store.GetEntryAsync<string>("size", cancellationToken: ct));
        var keys = new List<string>();
        await foreach (var k in store.GetKeysAsync(cancellationToken: ct))
        {
            keys.Add(k);
        }
        Assert.That(keys, Is.EqualTo(new[] { "color" }));
        Assert.That(r4, Is.GreaterThan(r2));

        await store.PurgeAsync("color", cancellationToken: ct);
        Assert.ThrowsAsync<NatsKVKeyDeletedException>(async () => await store.GetEntryAsync<string>("color", cancellationToken: ct));
    }

    [Test]
    public async Task Kv_watch_sees_current_values_then_updates(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var kv = nats.CreateKeyValueStoreContext();
        var store = await kv.CreateStoreAsync("watched", ct);
        await store.PutAsync("a", 1, cancellationToken: ct);
        await store.PutAsync("b", 2, cancellationToken: ct);

        var seen = new List<(string Key, int Value, NatsKVOperation Op)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watch = Task.Run(async () =>
        {
            await foreach (var e in store.WatchAsync<int>(cancellationToken: stop.Token))
            {
                seen.Add((e.Key, e.Value, e.Operation));
                if (seen.Count == 4)
                {
                    return;
                }
            }
        }, ct);
        await TestSupport.Eventually.TrueAsync(() => seen.Count >= 2, "the initial values");
        await store.PutAsync("a", 10, cancellationToken: ct);
        await store.DeleteAsync("b", cancellationToken: ct);
        await watch.WaitAsync(TimeSpan.FromSeconds(20), ct);
        Assert.That(seen, Is.EqualTo(new[]
        {
            ("a", 1, NatsKVOperation.Put), ("b", 2, NatsKVOperation.Put), ("a", 10, NatsKVOperation.Put), ("b", 0, NatsKVOperation.Del),
        }));
    }

    [Test]
    public async Task Kv_values_survive_a_restart(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        {
            await using var nats = server.Client();
            var store = await nats.CreateKeyValueStoreContext().CreateStoreAsync("durable", ct);
            await store.PutAsync("k", "before restart", cancellationToken: ct);
        }
        await server.RestartAsync();
        {
            await using var nats = server.Client();
            var store = await nats.CreateKeyValueStoreContext().GetStoreAsync("durable", ct);
            var entry = await store.GetEntryAsync<string>("k", cancellationToken: ct);
            Assert.That(entry.Value, Is.EqualTo("before restart"));
        }
    }

    [Test]
    public async Task Object_store_puts_and_gets_a_multi_chunk_object(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var obj = nats.CreateObjectStoreContext();
        var store = await obj.CreateObjectStoreAsync("files", ct);
        var data = new byte[1_000_000];
        new Random(7).NextBytes(data);

        var meta = await store.PutAsync(new ObjectMetadata { Name = "blob.bin", Options = new MetaDataOptions { MaxChunkSize = 64 * 1024 } }, new MemoryStream(data), cancellationToken: ct);
        Assert.That((meta.Size, meta.Chunks), Is.EqualTo((1_000_000, 16)));

        var back = await store.GetBytesAsync("blob.bin", ct);
        Assert.That(SHA256.HashData(back), Is.EqualTo(SHA256.HashData(data)));
        var info = await store.GetInfoAsync("blob.bin", cancellationToken: ct);
        Assert.That(info.Digest, Is.EqualTo(meta.Digest));

        var names = new List<string>();
        await foreach (var m in store.ListAsync(cancellationToken: ct))
        {
            names.Add(m.Name);
        }
        Assert.That(names, Is.EqualTo(new[] { "blob.bin" }));
        await store.DeleteAsync("blob.bin", ct);
        Assert.ThrowsAsync<NatsObjNotFoundException>(async () => await store.GetBytesAsync("blob.bin", ct));
    }
}
