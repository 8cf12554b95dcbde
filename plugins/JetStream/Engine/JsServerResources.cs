using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// The server's JetStream resources shared by every account: bytes stored per storage type
/// (the accounts' <see cref="StorageUsage"/> add into these) and bytes reserved by streams with
/// <c>max_bytes</c>, checked against <c>max_memory_store</c> / <c>max_file_store</c> as nats-server
/// does (<c>js.memReserved</c>, <c>js.storeUsed</c>). Thread safety: interlocked counters.
/// </summary>
public sealed class JsServerResources(long maxMemory, long maxStore)
{
    private long _reservedMemory;
    private long _reservedStore;

    /// <summary>Memory storage used across the server, against <c>max_memory_store</c>.</summary>
    public StorageUsage Memory { get; } = new(maxMemory);

    /// <summary>File storage used across the server, against <c>max_file_store</c>.</summary>
    public StorageUsage Store { get; } = new(maxStore);

    /// <summary>The usage of storage <paramref name="type"/>.</summary>
    public StorageUsage Of(Api.Storage type) => type == Api.Storage.Memory ? Memory : Store;

    /// <summary>Bytes reserved by streams with <c>max_bytes</c> in storage <paramref name="type"/>.</summary>
    public long Reserved(Api.Storage type) => Interlocked.Read(ref type == Api.Storage.Memory ? ref _reservedMemory : ref _reservedStore);

    /// <summary>Reserves (or, negative, releases) <paramref name="delta"/> bytes of storage <paramref name="type"/>.</summary>
    public void AddReserved(Api.Storage type, long delta) => Interlocked.Add(ref type == Api.Storage.Memory ? ref _reservedMemory : ref _reservedStore, delta);
}
