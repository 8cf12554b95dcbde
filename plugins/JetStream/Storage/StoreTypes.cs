namespace Nats.JetStream.Storage;

/// <summary>Where a stream keeps its messages (JSON <c>"file"</c> / <c>"memory"</c>).</summary>
public enum StorageType
{
    File,
    Memory,
}

/// <summary>What happens when a limit is reached: drop the oldest messages, or refuse the new one.</summary>
public enum DiscardPolicy
{
    Old,
    New,
}

/// <summary>Why a store refused an operation (no exceptions on the publish path).</summary>
public enum StoreError
{
    None,
    MaxMsgs,
    MaxBytes,
    MaxMsgsPerSubject,
    MsgTooLarge,
    SequenceMismatch,
    Closed,
    /// <summary>The store failed to write or sync (disk full, I/O error); it recovered to its durable state.</summary>
    WriteFailed,
}

/// <summary>The limits a store enforces itself. The stream engine keeps the rest of the config.</summary>
public sealed record StoreLimits
{
    /// <summary>Maximum live messages; zero or less: unlimited.</summary>
    public long MaxMsgs { get; init; } = -1;

    /// <summary>Maximum live bytes (as nats-server accounts them); zero or less: unlimited.</summary>
    public long MaxBytes { get; init; } = -1;

    /// <summary>Messages older than this are removed; zero: kept forever.</summary>
    public TimeSpan MaxAge { get; init; }

    /// <summary>Maximum messages per subject; zero or less: unlimited.</summary>
    public long MaxMsgsPerSubject { get; init; } = -1;

    /// <summary>Maximum header + payload size; zero or less: unlimited.</summary>
    public int MaxMsgSize { get; init; } = -1;

    public DiscardPolicy Discard { get; init; } = DiscardPolicy.Old;

    /// <summary>With <see cref="DiscardPolicy.New"/>, refuse a message whose subject is at its limit.</summary>
    public bool DiscardNewPerSubject { get; init; }

    /// <summary>The first sequence of a new, empty store (stream <c>first_seq</c>).</summary>
    public ulong FirstSeq { get; init; }

    public static readonly StoreLimits None = new();
}

/// <summary>A stream's state as nats-server reports it (<c>state</c> of stream info).</summary>
public struct StoreState
{
    public ulong Msgs;
    public ulong Bytes;
    public ulong FirstSeq;
    public long FirstTime;
    public ulong LastSeq;
    public long LastTime;
    public int NumSubjects;
    public ulong NumDeleted;
}

/// <summary>The state of the messages matching a filter.</summary>
public readonly record struct FilteredState(ulong Msgs, ulong First, ulong Last);

/// <summary>Messages a recovery or a read found damaged and no longer serves.</summary>
public sealed record LostData(ulong FirstSeq, ulong LastSeq, long Bytes, string Block, string Reason);
