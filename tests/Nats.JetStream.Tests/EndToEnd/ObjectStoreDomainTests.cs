using System.Security.Cryptography;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.ObjectStore;
using NATS.Client.ObjectStore.Models;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>
/// The object store as a client uses it through a JetStream domain (NATS.Net with
/// <c>domain: hub</c>, so every API request goes to <c>$JS.hub.API.&gt;</c>): a chunked put, a get
/// with its digest, a link to it read back, and the bucket seen without the domain too.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ObjectStoreDomainTests
{
    [Test]
    public async Task An_object_store_works_through_a_jetstream_domain_with_links(CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "js-objdomain-" + Guid.NewGuid().ToString("N"));
        await using var server = await JetStreamServer.StartAsync(jetstreamBlock: $"jetstream {{ store_dir: \"{dir}\", domain: hub }}", storeDir: dir);
        try
        {
            await using var nats = new NatsConnection(new NatsOpts { Url = server.Url, RequestTimeout = TimeSpan.FromSeconds(10) });
            var js = new NatsJSContext(nats, new NatsJSOpts(nats.Opts, domain: "hub"));
            var obj = new NatsObjContext(js);
            var store = await obj.CreateObjectStoreAsync("files", ct);
            var data = new byte[300_000];
            new Random(11).NextBytes(data);

            var meta = await store.PutAsync(new ObjectMetadata { Name = "blob.bin", Options = new MetaDataOptions { MaxChunkSize = 32 * 1024 } }, new MemoryStream(data), cancellationToken: ct);
            Assert.That((meta.Size, meta.Chunks), Is.EqualTo((300_000, 10)));
            var back = await store.GetBytesAsync("blob.bin", ct);
            Assert.That(SHA256.HashData(back), Is.EqualTo(SHA256.HashData(data)));

            var link = await store.AddLinkAsync("latest", "blob.bin", ct);
            Assert.That(link.Options?.Link?.Name, Is.EqualTo("blob.bin"));
            var linked = await store.GetInfoAsync("latest", cancellationToken: ct);
            Assert.That(linked.Options?.Link?.Name, Is.EqualTo("blob.bin"), "the link's metadata names its target");
            Assert.That(SHA256.HashData(await store.GetBytesAsync("latest", ct)), Is.EqualTo(SHA256.HashData(data)), "a get through the link reads the target");

            // The same bucket without the domain (the server's own API subjects).
            var plain = new NatsObjContext(new NatsJSContext(nats));
            var again = await plain.GetObjectStoreAsync("files", ct);
            Assert.That((await again.GetInfoAsync("blob.bin", cancellationToken: ct)).Digest, Is.EqualTo(meta.Digest));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
