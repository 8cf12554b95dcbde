using System.Text;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>Opens stores in a temporary directory (removed after the test) and appends with strings.</summary>
internal sealed class StoreFixture : IDisposable
{
    private readonly List<MessageStore> _open = [];

    public StoreFixture(StorageType type)
    {
        Type = type;
        Directory = Path.Combine(Path.GetTempPath(), "js-store-" + Guid.NewGuid().ToString("N"));
    }

    public StorageType Type { get; }

    public string Directory { get; }

    public int BlockSize { get; set; } = 8 << 20;

    public CapturingLogger Log { get; } = new();

    public MessageStore Open(StoreLimits? limits = null)
    {
        MessageStore store = Type == StorageType.File
            ? FileStore.Open(new FileStoreOptions { Directory = Directory, BlockSize = BlockSize }, limits ?? StoreLimits.None, Log)
            : new MemoryStore(limits ?? StoreLimits.None, Log);
        _open.Add(store);
        return store;
    }

    public FileStore OpenFile(StoreLimits? limits = null, int? blockSize = null) =>
        (FileStore)_open.Let(FileStore.Open(new FileStoreOptions { Directory = Directory, BlockSize = blockSize ?? BlockSize }, limits ?? StoreLimits.None, Log));

    public void Dispose()
    {
        foreach (var store in _open)
        {
            store.Dispose();
        }
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

internal static class StoreTestExtensions
{
    public static T Let<T>(this List<MessageStore> list, T store)
        where T : MessageStore
    {
        list.Add(store);
        return store;
    }

    public static ulong Put(this MessageStore store, string subject, string payload = "x", string? headers = null, long ttl = 0)
    {
        var error = store.Append(Encoding.UTF8.GetBytes(subject), headers is null ? default : Encoding.UTF8.GetBytes(headers),
            Encoding.UTF8.GetBytes(payload), ttl, out var seq, out _);
        Assert.That(error, Is.EqualTo(StoreError.None), $"append {subject}");
        return seq;
    }

    public static StoreError TryPut(this MessageStore store, string subject, string payload = "x") =>
        store.Append(Encoding.UTF8.GetBytes(subject), default, Encoding.UTF8.GetBytes(payload), 0, out _, out _);

    public static void Sync(this MessageStore store) => store.FlushAsync().AsTask().Wait(TimeSpan.FromSeconds(10));

    public static StoredMessage? Get(this MessageStore store, ulong seq)
    {
        store.Sync();
        var m = new StoredMessage();
        return store.TryLoad(seq, m) ? m : null;
    }

    public static string Text(this StoredMessage m) => Encoding.UTF8.GetString(m.Payload.Span);

    public static List<ulong> Seqs(this MessageStore store, string? filter = null)
    {
        store.Sync();
        var result = new List<ulong>();
        var m = new StoredMessage();
        var f = SubjectFilter.Of(filter);
        for (var seq = store.LoadNext(f, 1, m); seq != 0; seq = store.LoadNext(f, seq + 1, m))
        {
            result.Add(seq);
        }
        return result;
    }
}
