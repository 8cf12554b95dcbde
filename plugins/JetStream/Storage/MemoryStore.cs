using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Nats.JetStream.Storage;

/// <summary>
/// The memory store: the same blocks of records as the file store, kept in memory only, with
/// no checksums, tombstones or floors (nothing to recover). Sparse blocks are compacted to give
/// memory back. Appends are durable as soon as they are stored.
/// </summary>
public sealed class MemoryStore : MessageStore
{
    private const int BlockSize = 1 << 20;

    /// <summary>An empty store in memory enforcing <paramref name="limits"/>.</summary>
    public MemoryStore(StoreLimits limits, ILogger? logger = null)
        : base(limits, logger ?? NullLogger.Instance)
    {
        lock (Gate)
        {
            Blocks.Add(CreateBlockLocked(1));
            if (limits.FirstSeq > 1)
            {
                LastSeqField = limits.FirstSeq - 1;
                FirstSeqField = limits.FirstSeq;
                VisibleSeq = LastSeqField;
            }
        }
    }

    /// <inheritdoc />
    public override StorageType Type => StorageType.Memory;

    /// <inheritdoc />
    public override ulong AccountedSize(int subjectLength, int headerLength, int payloadLength) =>
        (ulong)(subjectLength + headerLength + payloadLength + 16);

    private protected override int MaxBlockSize => BlockSize;

    private protected override bool ChecksumRecords => false;

    private protected override Block CreateBlockLocked(ulong id)
    {
        var block = new Block(id) { Data = new byte[4096], Length = RecordFormat.FileHeaderSize };
        block.InitRange(LastSeqField + 1);
        RecordFormat.WriteFileHeader(block.Data, id);
        block.Written = block.Durable = block.Length;
        return block;
    }

    private protected override void EnsureCachedLocked(Block block)
    {
    }

    private protected override void OnFrontRemovedLocked(ulong newFirst)
    {
    }

    private protected override void OnInteriorRemovedLocked(ulong seq)
    {
    }

    private protected override void OnBlockDroppedLocked(Block block)
    {
    }

    private protected override void OnRecordAppendedLocked(Block block, RecordKind kind, int offset)
    {
        block.Written = block.Durable = block.Length;
    }

    private protected override void CompactBlockLocked(Block block)
    {
        var data = new byte[Math.Max(4096, RecordFormat.FileHeaderSize + (int)block.RecordBytes)];
        var old = block.Data!;
        old.AsSpan(0, RecordFormat.FileHeaderSize).CopyTo(data);
        var at = RecordFormat.FileHeaderSize;
        var offsets = new uint[block.Offsets?.Length ?? 0];
        long recordBytes = 0;
        for (var seq = block.NextLive(block.First); seq != 0; seq = block.NextLive(seq + 1))
        {
            var offset = block.OffsetOf(seq);
            if (offset == 0 || RecordFormat.TryRead(old.AsSpan((int)offset, block.Length - (int)offset), block.Id, false, out var r) != RecordFormat.ReadStatus.Ok)
            {
                continue;
            }
            if (at + r.Size > data.Length)
            {
                Array.Resize(ref data, Math.Max(data.Length * 2, at + r.Size));
            }
            old.AsSpan((int)offset, r.Size).CopyTo(data.AsSpan(at));
            offsets[seq - block.First] = (uint)at;
            at += r.Size;
            recordBytes += (long)AccountedSize(r.SubjectLength, r.HeaderLength, r.PayloadLength);
        }
        block.Data = data;
        block.Offsets = offsets;
        block.Length = block.Written = block.Durable = at;
        block.RecordBytes = recordBytes;
    }

    private protected override void AfterWrite()
    {
        IStoreListener? listener;
        ulong seq;
        lock (Gate)
        {
            if (VisibleSeq == LastSeqField)
            {
                return;
            }
            seq = VisibleSeq = LastSeqField;
            listener = Listener;
        }
        listener?.MessagesDurable(seq);
    }

    /// <inheritdoc />
    public override ValueTask FlushAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public override void Dispose()
    {
        lock (Gate)
        {
            Closed = true;
            DetachUsageLocked();
        }
        StopMaintenance();
    }
}
