namespace Nats.JetStream.Storage;

/// <summary>When the file store syncs to disk relative to acknowledging a write.</summary>
public enum SyncMode
{
    /// <summary>
    /// The default: a write is acknowledged only after its record is fsynced (fdatasync), with
    /// group commit: every record that arrives while a sync is in flight goes into the next one.
    /// </summary>
    Always,

    /// <summary>
    /// nats-server's behaviour: a write is acknowledged once handed to the OS, and the store
    /// fsyncs every <see cref="FileStoreOptions.SyncInterval"/>. A process crash loses nothing;
    /// a power failure or kernel crash loses what was acknowledged since the last sync.
    /// </summary>
    Interval,
}

/// <summary>Options of a file store.</summary>
public sealed record FileStoreOptions
{
    /// <summary>The stream's directory (blocks go to <c>msgs/</c> under it).</summary>
    public required string Directory { get; init; }

    /// <summary>The size a block file grows to before the next one starts.</summary>
    public int BlockSize { get; init; } = 8 << 20;

    /// <summary>When writes are synced to disk.</summary>
    public SyncMode Sync { get; init; } = SyncMode.Always;

    /// <summary>With <see cref="SyncMode.Interval"/>, how often to fsync (nats-server default: 2 minutes).</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How many sealed blocks keep their bytes cached in memory.</summary>
    public int CachedBlocks { get; init; } = 4;

    /// <summary>A sealed block's cache goes after this long unused.</summary>
    public TimeSpan CacheExpiry { get; init; } = TimeSpan.FromSeconds(10);
}
