namespace Nats.JetStream.Storage;

/// <summary>
/// Bytes stored of one storage type at one level: an account (its parent is the server) or the
/// whole server. Stores attached to it report every change of their byte count, so the publish
/// path reads the level's total without visiting its streams (nats-server's <c>jsa.usage</c> /
/// <c>js.storeUsed</c>). Thread safety: updated with interlocked adds from any store's lock.
/// </summary>
public sealed class StorageUsage(long max, StorageUsage? parent = null)
{
    private long _used;

    /// <summary>The limit at this level; -1: none.</summary>
    public long Max { get; } = max;

    /// <summary>The server level above an account's, or null.</summary>
    public StorageUsage? Parent { get; } = parent;

    /// <summary>Bytes used at this level.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>Adds <paramref name="delta"/> bytes (negative: frees them) here and at the level above.</summary>
    public void Add(long delta)
    {
        if (delta == 0)
        {
            return;
        }
        Interlocked.Add(ref _used, delta);
        Parent?.Add(delta);
    }
}
