namespace Nats.JetStream.Storage;

/// <summary>Where a stream keeps its messages (JSON <c>"file"</c> / <c>"memory"</c>).</summary>
public enum StorageType
{
    /// <summary>Files in the store directory.</summary>
    File,

    /// <summary>Memory only: lost on restart.</summary>
    Memory,
}

/// <summary>What happens when a limit is reached: drop the oldest messages, or refuse the new one.</summary>
public enum DiscardPolicy
{
    /// <summary>Remove the oldest messages to make room.</summary>
    Old,

    /// <summary>Refuse the new message.</summary>
    New,
}

/// <summary>Why a store refused an operation (no exceptions on the publish path).</summary>
public enum StoreError
{
    /// <summary>Nothing refused: the operation was done.</summary>
    None,

    /// <summary>Refused: the stream is at <c>max_msgs</c> (discard new).</summary>
    MaxMsgs,

    /// <summary>Refused: the stream is at <c>max_bytes</c> (discard new).</summary>
    MaxBytes,

    /// <summary>Refused: the subject is at <c>max_msgs_per_subject</c> (discard new per subject).</summary>
    MaxMsgsPerSubject,

    /// <summary>Refused: the message is over <c>max_msg_size</c>.</summary>
    MsgTooLarge,

    /// <summary>Refused: the sequence given is not the next one.</summary>
    SequenceMismatch,

    /// <summary>Refused: the store is closed.</summary>
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

    /// <summary>Which messages go when a limit is reached.</summary>
    public DiscardPolicy Discard { get; init; } = DiscardPolicy.Old;

    /// <summary>With <see cref="DiscardPolicy.New"/>, refuse a message whose subject is at its limit.</summary>
    public bool DiscardNewPerSubject { get; init; }

    /// <summary>The first sequence of a new, empty store (stream <c>first_seq</c>).</summary>
    public ulong FirstSeq { get; init; }

    /// <summary>No limits.</summary>
    public static readonly StoreLimits None = new();
}

/// <summary>A stream's state as nats-server reports it (<c>state</c> of stream info).</summary>
public struct StoreState
{
    /// <summary>Live messages.</summary>
    public ulong Msgs;

    /// <summary>Live bytes, as nats-server accounts them.</summary>
    public ulong Bytes;

    /// <summary>The first live sequence.</summary>
    public ulong FirstSeq;

    /// <summary>The first live message's time, Unix nanoseconds.</summary>
    public long FirstTime;

    /// <summary>The last sequence stored.</summary>
    public ulong LastSeq;

    /// <summary>The last message's time, Unix nanoseconds.</summary>
    public long LastTime;

    /// <summary>Subjects with live messages.</summary>
    public int NumSubjects;

    /// <summary>Sequences between first and last that were removed.</summary>
    public ulong NumDeleted;
}

/// <summary>The state of the messages matching a filter.</summary>
public readonly record struct FilteredState(ulong Msgs, ulong First, ulong Last);

/// <summary>Messages a recovery or a read found damaged and no longer serves.</summary>
public sealed record LostData(ulong FirstSeq, ulong LastSeq, long Bytes, string Block, string Reason);
