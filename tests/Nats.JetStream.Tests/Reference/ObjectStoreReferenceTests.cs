using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using NATS.Client.Core;
using NATS.Client.ObjectStore;
using NATS.Client.ObjectStore.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// An object store as NATS.Net drives it (chunked puts, a replacing put, links to an object and to
/// a bucket, metadata updates, list, delete, seal) against nats-server 2.9.10 and this
/// server: what the client sees and what the bucket's stream holds (subjects with the random
/// NUIDs numbered in order of appearance, headers, data sizes) must agree.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed partial class ObjectStoreReferenceTests
{
    [Test]
    public async Task Object_store_chunks_links_and_deletes_match_nats_server(CancellationToken ct)
    {
        var reference = await SideBySide.RunSameAsync(url => RunScenarioAsync(url, ct));
        var text = string.Join("\n", reference);
        Assert.That(text, Does.Contain("put a.bin: 250 bytes in 3 chunks").And.Contain("get link-a: 250 bytes"));
    }

    [GeneratedRegex("[A-Za-z0-9]{22}")]
    private static partial Regex Nuid();

    /// <summary>An object's metadata without its modification time, or a chunk's size.</summary>
    private static string MetaOrSize(byte[] data)
    {
        if (data is not [(byte)'{', ..])
        {
            return $"<{data.Length} bytes>";
        }
        var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(data)!;
        fields.Remove("mtime");
        return string.Join(" ", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
    }

    private static async Task<List<string>> RunScenarioAsync(string url, CancellationToken ct)
    {
        var log = new List<string>();
        var nuids = new Dictionary<string, string>();
        string Normal(string s) => Nuid().Replace(s, m => nuids.TryGetValue(m.Value, out var n) ? n : nuids[m.Value] = $"<nuid{nuids.Count + 1}>");
        await using var nats = new NatsClient(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(10) });
        var obj = nats.CreateObjectStoreContext();
        var store = await obj.CreateObjectStoreAsync("obr", ct);
        var other = await obj.CreateObjectStoreAsync("obo", ct);

        var data = new byte[250];
        new Random(3).NextBytes(data);
        var meta = await store.PutAsync(new ObjectMetadata { Name = "a.bin", Description = "first", Options = new MetaDataOptions { MaxChunkSize = 100 } }, new MemoryStream(data), cancellationToken: ct);
        KvReferenceTests.Add(log, $"put a.bin: {meta.Size} bytes in {meta.Chunks} chunks, digest {meta.Digest}");
        meta = await store.PutAsync(new ObjectMetadata { Name = "b.bin", Options = new MetaDataOptions { MaxChunkSize = 100 } }, new MemoryStream(data[..100]), cancellationToken: ct);
        KvReferenceTests.Add(log, $"put b.bin: {meta.Size} bytes in {meta.Chunks} chunks");
        meta = await store.PutAsync(new ObjectMetadata { Name = "b.bin", Options = new MetaDataOptions { MaxChunkSize = 100 } }, new MemoryStream(data[..150]), cancellationToken: ct);
        KvReferenceTests.Add(log, $"replace b.bin: {meta.Size} bytes in {meta.Chunks} chunks");
        meta = await store.PutAsync("empty", Array.Empty<byte>(), ct);
        KvReferenceTests.Add(log, $"put empty: {meta.Size} bytes in {meta.Chunks} chunks");
        await store.AddLinkAsync("link-a", "a.bin", ct);
        await store.AddBucketLinkAsync("link-obo", other, ct);
        await store.UpdateMetaAsync("a.bin", new ObjectMetadata { Name = "a.bin", Description = "second" }, ct);

        var back = await store.GetBytesAsync("link-a", ct);
        KvReferenceTests.Add(log, $"get link-a: {back.Length} bytes, same {SHA256.HashData(back).SequenceEqual(SHA256.HashData(data))}");
        KvReferenceTests.Add(log, $"get b.bin: {(await store.GetBytesAsync("b.bin", ct)).Length} bytes");
        var info = await store.GetInfoAsync("a.bin", cancellationToken: ct);
        KvReferenceTests.Add(log, $"info a.bin: {info.Description} {info.Size} {info.Chunks} {info.Deleted}");

        await store.DeleteAsync("b.bin", ct);
        try
        {
            await store.GetBytesAsync("b.bin", ct);
            KvReferenceTests.Add(log, "get deleted b.bin: found");
        }
        catch (NatsObjException e)
        {
            KvReferenceTests.Add(log, $"get deleted b.bin: {e.GetType().Name}");
        }
        var deleted = await store.GetInfoAsync("b.bin", showDeleted: true, cancellationToken: ct);
        KvReferenceTests.Add(log, $"info deleted b.bin: deleted {deleted.Deleted} size {deleted.Size} chunks {deleted.Chunks}");

        var names = new List<string>();
        await foreach (var m in store.ListAsync(new NatsObjListOpts { ShowDeleted = true }, ct))
        {
            names.Add($"{m.Name}{(m.Deleted ? " (deleted)" : "")}{(m.Options?.Link is { } l ? $" -> {l.Bucket}/{l.Name}" : "")}");
        }
        KvReferenceTests.Add(log, "list: " + string.Join(", ", names));

        await KvReferenceTests.StreamContentsAsync(nats, "OBJ_obr", log, ct, MetaOrSize);
        for (var i = 0; i < log.Count; i++)
        {
            log[i] = Normal(log[i]);
        }
        await store.SealAsync(ct);
        var status = await store.GetStatusAsync(ct);
        KvReferenceTests.Add(log, $"sealed: {status.Info.Config.Sealed}");
        try
        {
            await store.PutAsync("after-seal", new byte[3], ct);
            KvReferenceTests.Add(log, "put after seal: ok");
        }
        catch (Exception e) when (e is NatsObjException or NATS.Client.JetStream.NatsJSException)
        {
            KvReferenceTests.Add(log, $"put after seal: {e.GetType().Name}");
        }
        return log;
    }
}
