using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// The account's byte limits as nats-server applies them: at stream create and update the bytes
/// streams reserve (<c>max_bytes</c>) against the account's <c>max_mem</c>/<c>max_file</c> and the
/// server's <c>max_memory_store</c>/<c>max_file_store</c> (10028 / 10047); on publish the bytes
/// stored (<see cref="JsStream"/>: 10002 for the account, 10023 for the server).
/// </summary>
public sealed partial class JsAccount
{
    /// <summary>Bytes stored by this account's memory and file streams (their stores report into these).</summary>
    private StorageUsage? _memoryUsage;
    private StorageUsage? _storeUsage;

    /// <summary>What this account last added to the server's reservations (owned by _gate).</summary>
    private long _reservedMemoryShared;
    private long _reservedStoreShared;

    private StorageUsage UsageOf(Api.Storage type) => type == Api.Storage.Memory
        ? _memoryUsage ??= new StorageUsage(_options.MaxMemory, _options.Server?.Memory)
        : _storeUsage ??= new StorageUsage(_options.MaxStore, _options.Server?.Store);

    private long ReservedLocked(Api.Storage type, string? except = null) =>
        _streams.Values.Where(e => e.Stream.Name != except && e.Stream.Config.Storage == type).Sum(e => Math.Max(0, e.Stream.Config.MaxBytes));

    /// <summary>
    /// nats-server's <c>checkBytesLimits</c>: <paramref name="addBytes"/> more reserved (a stream
    /// without max_bytes counts 1) must fit the account's limit and the server's.
    /// </summary>
    private void CheckBytesLimitsLocked(long addBytes, Api.Storage type, string? except = null)
    {
        if (addBytes < 0)
        {
            addBytes = 1;
        }
        var error = type == Api.Storage.Memory ? JsErrors.MemoryResourcesExceeded : JsErrors.StorageResourcesExceeded;
        var accountMax = type == Api.Storage.Memory ? _options.MaxMemory : _options.MaxStore;
        if (accountMax >= 0 && ReservedLocked(type, except) + addBytes > accountMax)
        {
            throw new JsApiException(error);
        }
        if (_options.Server is { } server && server.Of(type).Max >= 0 && server.Reserved(type) + addBytes > server.Of(type).Max)
        {
            throw new JsApiException(error);
        }
    }

    /// <summary>Publishes this account's reservations to the server's totals (after any stream change).</summary>
    private void RefreshReservationsLocked()
    {
        if (_options.Server is not { } server)
        {
            return;
        }
        var memory = _closed ? 0 : ReservedLocked(Api.Storage.Memory);
        var store = _closed ? 0 : ReservedLocked(Api.Storage.File);
        server.AddReserved(Api.Storage.Memory, memory - _reservedMemoryShared);
        server.AddReserved(Api.Storage.File, store - _reservedStoreShared);
        _reservedMemoryShared = memory;
        _reservedStoreShared = store;
    }
}
