using System.Text;
using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Storage;

/// <summary>
/// What the file and memory stores share: messages in blocks of records (see
/// <see cref="RecordFormat"/>), per-block sequence ranges, delete bitmaps and a cache of record
/// bytes with per-sequence offsets, per-subject state, the limits and every query the stream
/// and consumer engine needs. Thread safety: every public member takes <see cref="Gate"/>;
/// the file store's sync worker takes it briefly around its writes.
/// </summary>
public abstract partial class MessageStore : IDisposable
{
    /// <summary>The store's lock: owns every field of this class and of its blocks.</summary>
    private protected readonly Lock Gate = new();

    /// <summary>Blocks in sequence order; the last one takes appends.</summary>
    private protected readonly List<Block> Blocks = [];

    private protected readonly SubjectIndex Subjects = new();

    /// <summary>Messages with a per-message TTL, by expiry (stale entries are skipped when popped).</summary>
    private protected readonly PriorityQueue<ulong, long> TtlQueue = new();

    private protected readonly ILogger Logger;

    private protected StoreLimits Limits;
    private protected ulong FirstSeqField;
    private protected ulong LastSeqField;
    private protected long LastTsField;
    private protected ulong MsgsField;
    private ulong _bytes;
    private StorageUsage? _usage;

    /// <summary>Bytes stored (nats-server's accounting); every change is reported to the attached <see cref="StorageUsage"/>.</summary>
    private protected ulong BytesField
    {
        get => _bytes;
        set
        {
            var delta = (long)value - (long)_bytes;
            _bytes = value;
            _usage?.Add(delta);
        }
    }

    /// <summary>The highest sequence readers may see (durable); appends above it are in flight.</summary>
    private protected ulong VisibleSeq;

    private protected bool Closed;
    private protected IStoreListener? Listener;
    private readonly List<LostData> _lost = [];
    private Timer? _maintenance;

    private protected MessageStore(StoreLimits limits, ILogger logger)
    {
        Limits = limits;
        Logger = logger;
    }

    /// <summary>Where the store keeps its messages.</summary>
    public abstract StorageType Type { get; }

    /// <summary>Data a recovery or a read found damaged (the stream is unhealthy while this is not empty).</summary>
    public IReadOnlyList<LostData> Lost
    {
        get
        {
            lock (Gate)
            {
                return _lost.ToArray();
            }
        }
    }

    /// <summary>Set the listener told about durability (the stream engine).</summary>
    public void SetListener(IStoreListener? listener)
    {
        lock (Gate)
        {
            Listener = listener;
        }
    }

    /// <summary>The bytes nats-server accounts for a message (file: record size; memory: payload + 16).</summary>
    public abstract ulong AccountedSize(int subjectLength, int headerLength, int payloadLength);

    /// <summary>Where this store's bytes are counted (an account's usage), or null.</summary>
    public StorageUsage? Usage => Volatile.Read(ref _usage);

    /// <summary>Counts this store's bytes in <paramref name="usage"/> (an account's) from now until it closes.</summary>
    public void AttachUsage(StorageUsage usage)
    {
        lock (Gate)
        {
            if (Closed || _usage is not null)
            {
                return;
            }
            _usage = usage;
            usage.Add((long)_bytes);
        }
    }

    /// <summary>Called where the store closes: its bytes leave the account's and server's totals.</summary>
    private protected void DetachUsageLocked()
    {
        _usage?.Add(-(long)_bytes);
        _usage = null;
    }

    /// <summary>Changes the limits (a stream update); applies them at once.</summary>
    public void UpdateLimits(StoreLimits limits)
    {
        lock (Gate)
        {
            Limits = limits;
            EnforceLimitsLocked();
            EnsureMaintenanceLocked();
        }
        AfterWrite();
    }

    /// <summary>The limits the store enforces now (a stream update replaces them).</summary>
    public StoreLimits CurrentLimits
    {
        get
        {
            lock (Gate)
            {
                return Limits;
            }
        }
    }

    /// <summary>The stream state.</summary>
    public StoreState State()
    {
        lock (Gate)
        {
            return StateLocked();
        }
    }

    private protected StoreState StateLocked()
    {
        var state = new StoreState
        {
            Msgs = MsgsField,
            Bytes = BytesField,
            FirstSeq = MsgsField > 0 ? FirstSeqField : LastSeqField + 1,
            LastSeq = LastSeqField,
            LastTime = LastTsField,
            NumSubjects = Subjects.Count,
        };
        if (MsgsField > 0)
        {
            state.FirstTime = TimestampOfLocked(FirstSeqField);
            state.NumDeleted = LastSeqField - FirstSeqField + 1 - MsgsField;
        }
        return state;
    }

    /// <summary>The removed sequences between the first and the last (stream info <c>deleted</c>).</summary>
    public List<ulong> DeletedSequences(int max = int.MaxValue)
    {
        var result = new List<ulong>();
        lock (Gate)
        {
            if (MsgsField == 0)
            {
                return result;
            }
            var expect = FirstSeqField;
            foreach (var block in Blocks)
            {
                if (block.IsEmptyRange || block.Last < FirstSeqField)
                {
                    continue;
                }
                for (var seq = Math.Max(expect, FirstSeqField); seq < block.First && seq <= LastSeqField && result.Count < max; seq++)
                {
                    result.Add(seq);
                }
                for (var seq = Math.Max(block.First, FirstSeqField); seq <= block.Last && result.Count < max; seq++)
                {
                    if (block.IsDeleted(seq))
                    {
                        result.Add(seq);
                    }
                }
                expect = block.Last + 1;
            }
        }
        return result;
    }

    private protected void ReportLostLocked(LostData lost)
    {
        _lost.Add(lost);
        StoreLog.LostMessages(Logger, lost.FirstSeq, lost.LastSeq, lost.Bytes, lost.Block, lost.Reason);
    }

    private protected void ClearLostLocked() => _lost.Clear();

    /// <summary>The block holding <paramref name="seq"/>, or null (binary search on first sequences).</summary>
    private protected Block? FindBlockLocked(ulong seq)
    {
        int lo = 0, hi = Blocks.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            var b = Blocks[mid];
            if (seq > b.Last)
            {
                lo = mid + 1;
            }
            else if (seq < b.First)
            {
                hi = mid - 1;
            }
            else
            {
                return b;
            }
        }
        return null;
    }

    /// <summary>Index of the first block whose range reaches <paramref name="seq"/> (blocks without records are last).</summary>
    private protected int BlockIndexAtOrAfterLocked(ulong seq)
    {
        int lo = 0, hi = Blocks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            var b = Blocks[mid];
            if (b.Last < seq)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>Makes the block's record bytes and offsets available (the file store may read the file).</summary>
    private protected abstract void EnsureCachedLocked(Block block);

    /// <summary>The record of a sequence in a cached block, or false (no record, or a damaged block).</summary>
    private protected bool TryGetRecordLocked(Block block, ulong seq, out Record record, out ReadOnlySpan<byte> bytes)
    {
        EnsureCachedLocked(block);
        block.LastUsed = Environment.TickCount64;
        var offset = block.OffsetOf(seq);
        if (offset == 0 || block.Data is null)
        {
            record = default;
            bytes = default;
            return false;
        }
        var span = block.Data.AsSpan((int)offset, block.Length - (int)offset);
        if (RecordFormat.TryRead(span, block.Id, verify: false, out record) != RecordFormat.ReadStatus.Ok)
        {
            bytes = default;
            return false;
        }
        bytes = span[..record.Size];
        return true;
    }

    private protected long TimestampOfLocked(ulong seq)
    {
        var block = FindBlockLocked(seq);
        return block is not null && TryGetRecordLocked(block, seq, out var r, out _) ? r.Timestamp : 0;
    }

    /// <summary>The interned subject string for subject bytes of a live message.</summary>
    private protected string SubjectString(ReadOnlySpan<byte> utf8)
    {
        Subjects.Find(utf8, out var subject);
        return subject ?? Encoding.UTF8.GetString(utf8);
    }

    private protected void EnsureMaintenanceLocked()
    {
        if (_maintenance is null && !Closed)
        {
            _maintenance = new Timer(_ => Maintain(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Stops the timers; the subclass flushes and closes its files.</summary>
    private protected void StopMaintenance()
    {
        _maintenance?.Dispose();
        _maintenance = null;
    }

    /// <summary>Runs after a write made outside the append path (removals, purges): flush, notify.</summary>
    private protected abstract void AfterWrite();

    /// <summary>Completes when everything stored before the call is durable.</summary>
    public abstract ValueTask FlushAsync();

    /// <summary>Closes the store; what is durable stays.</summary>
    public abstract void Dispose();
}
