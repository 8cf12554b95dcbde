using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Nats.JetStream.Storage;

/// <summary>
/// The file store: append-only block files of checksummed records (README.md describes the
/// format and the recovery rules). Appends go into the active block's memory and are written
/// and fdatasynced by a sync worker in group commits; the listener hears of them afterwards.
/// Front removals move a floor (one small record, rewritten in place until written), interior
/// removals append tombstones, emptied blocks are deleted and sparse ones rewritten.
/// </summary>
public sealed partial class FileStore : MessageStore
{
    private readonly FileStoreOptions _options;
    private readonly string _msgDir;

    /// <summary>Open write handles: the active block and sealed blocks not yet synced (owned by Gate).</summary>
    private readonly Dictionary<Block, SafeFileHandle> _handles = [];

    /// <summary>Blocks dropped whose files go once the records that replaced them are durable (Gate).</summary>
    private List<Block> _pendingDeletes = [];

    /// <summary>Waiters for the next group commit (Gate).</summary>
    private TaskCompletionSource? _nextCommit;

    /// <summary>A sync worker has this store queued or running (Gate).</summary>
    private bool _syncScheduled;

    /// <summary>New block files exist whose directory entry is not synced yet (Gate).</summary>
    private bool _directoryDirty;

    /// <summary>Interval mode: data written since the last fsync (Gate).</summary>
    private bool _unsynced;
    private long _lastFsync = Environment.TickCount64;
    private bool _forceFsync;

    /// <summary>All sequences below this are removed (Gate).</summary>
    private ulong _floor = 1;

    /// <summary>The last floor record, while it is still unwritten and last in its block: rewritten in place (Gate).</summary>
    private Block? _floorBlock;
    private int _floorOffset;

    /// <summary>fallocate failed once: blocks grow with each append (sync worker only).</summary>
    private bool _noPreallocate;

    private const int MinAllocateStep = 64 * 1024;
    private const int MaxAllocateStep = 1024 * 1024;

    /// <summary>The sync worker's reusable list of ranges to write (sync worker only).</summary>
    private readonly List<PendingWrite> _writes = [];

    /// <summary><see cref="RunSync"/> as the sync workers take it, made once.</summary>
    private readonly Action _runSync;

    private FileStore(FileStoreOptions options, StoreLimits limits, ILogger logger)
        : base(limits, logger)
    {
        _runSync = RunSync;
        _options = options;
        _msgDir = Path.Combine(options.Directory, "msgs");
    }

    /// <summary>Opens (recovering) or creates the store in <see cref="FileStoreOptions.Directory"/>.</summary>
    public static FileStore Open(FileStoreOptions options, StoreLimits limits, ILogger? logger = null)
    {
        var store = new FileStore(options, limits, logger ?? NullLogger.Instance);
        store.Recover();
        return store;
    }

    /// <inheritdoc />
    public override StorageType Type => StorageType.File;

    /// <summary>The options the store was opened with.</summary>
    public FileStoreOptions Options => _options;

    /// <summary>What the last recovery found (for logs and tests).</summary>
    public RecoveryReport LastRecovery { get; private set; } = RecoveryReport.Empty;

    /// <inheritdoc />
    public override ulong AccountedSize(int subjectLength, int headerLength, int payloadLength) =>
        headerLength == 0
            ? (ulong)(22 + subjectLength + payloadLength + 8)
            : (ulong)(22 + subjectLength + 4 + headerLength + payloadLength + 8);

    private protected override int MaxBlockSize => _options.BlockSize;

    private protected override bool ChecksumRecords => true;

    private string BlockPath(ulong id) => Path.Combine(_msgDir, $"{id:D10}.blk");

    private protected override Block CreateBlockLocked(ulong id)
    {
        if (Blocks.Count > 0)
        {
            // The block being sealed is the newest data, what readers catching up want next: it
            // counts as just used, so the cache trim drops older blocks first.
            ActiveLocked.LastUsed = Environment.TickCount64;
        }
        var block = new Block(id) { Data = new byte[64 * 1024], Length = RecordFormat.FileHeaderSize };
        block.InitRange(LastSeqField + 1);
        RecordFormat.WriteFileHeader(block.Data, id);
        var handle = File.OpenHandle(BlockPath(id), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        _handles[block] = handle;
        _directoryDirty = true;
        // A block starts with the floor and the last sequence so far: they survive any older block going.
        WriteFloorRecord(block);
        return block;
    }

    private void WriteFloorRecord(Block block)
    {
        Span<byte> last = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(last, LastSeqField);
        var offset = block.Length;
        var size = RecordFormat.RecordSize(0, 0, 8, 0);
        if (block.Data!.Length < offset + size)
        {
            Array.Resize(ref block.Data, Math.Max(block.Data.Length * 2, offset + size));
        }
        RecordFormat.Write(block.Data.AsSpan(offset, size), block.Id, RecordKind.Floor, _floor, NowLocked(), 0, default, default, last, true);
        block.Length = offset + size;
        _floorBlock = block;
        _floorOffset = offset;
    }

    private protected override void OnRecordAppendedLocked(Block block, RecordKind kind, int offset)
    {
        if (kind != RecordKind.Floor)
        {
            _floorBlock = null;
        }
    }

    private protected override void OnFrontRemovedLocked(ulong newFirst)
    {
        _floor = Math.Max(_floor, newFirst);
        var active = ActiveLocked;
        if (_floorBlock == active && _floorOffset >= active.Written && _floorOffset + RecordFormat.RecordSize(0, 0, 8, 0) == active.Length)
        {
            // The last record is our unwritten floor: move it instead of adding another.
            active.Length = _floorOffset;
        }
        WriteFloorRecord(active);
    }

    private protected override void OnInteriorRemovedLocked(ulong seq)
    {
        AppendRecordLocked(RecordKind.Tombstone, seq, NowLocked(), 0, default, default, default);
    }

    private protected override void OnBlockDroppedLocked(Block block)
    {
        if (block.Tombstones > 0 && Blocks.Count > 0 && !Blocks[0].IsEmptyRange && Blocks[0].First < block.First)
        {
            CarryTombstonesLocked(block);
        }
        _pendingDeletes.Add(block);
        if (block.Written == block.Length)
        {
            // Unwritten bytes stay: the sync worker writes them before the file goes.
            block.Evict();
        }
    }

    /// <summary>Re-appends the tombstones of a block that goes whose targets still exist in older blocks.</summary>
    private void CarryTombstonesLocked(Block block)
    {
        EnsureCachedLocked(block);
        var data = block.Data;
        if (data is null)
        {
            return;
        }
        var oldest = Blocks[0].First;
        var targets = new List<ulong>();
        var at = RecordFormat.FileHeaderSize;
        while (at < block.Length && RecordFormat.TryRead(data.AsSpan(at, block.Length - at), block.Id, false, out var r) == RecordFormat.ReadStatus.Ok)
        {
            if (r.Kind == RecordKind.Tombstone && r.Seq >= oldest && r.Seq < block.First && FindBlockLocked(r.Seq) is not null)
            {
                targets.Add(r.Seq);
            }
            at += r.Size;
        }
        foreach (var seq in targets)
        {
            AppendRecordLocked(RecordKind.Tombstone, seq, NowLocked(), 0, default, default, default);
        }
    }

    private protected override void EnsureCachedLocked(Block block)
    {
        if (block.Data is not null)
        {
            return;
        }
        LoadBlockLocked(block);
        EvictColdLocked(block);
    }

    /// <summary>Reads a sealed block back, verifying every record; damage is reported and not served.</summary>
    private void LoadBlockLocked(Block block)
    {
        byte[] data;
        try
        {
            using var handle = File.OpenHandle(BlockPath(block.Id), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            data = new byte[block.Length];
            var read = 0;
            while (read < data.Length)
            {
                var n = RandomAccess.Read(handle, data.AsSpan(read), read);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            if (read < data.Length)
            {
                MarkDamagedLocked(block, read, "block file shorter than recorded");
                Array.Resize(ref data, read);
            }
        }
        catch (IOException e)
        {
            MarkDamagedLocked(block, RecordFormat.FileHeaderSize, e.Message);
            block.Data = [];
            block.Offsets = [];
            return;
        }
        var offsets = new uint[block.IsEmptyRange ? 0 : (int)(block.Last - block.First + 1)];
        var at = RecordFormat.FileHeaderSize;
        if (!RecordFormat.CheckFileHeader(data, block.Id))
        {
            MarkDamagedLocked(block, 0, "bad block header");
            at = data.Length;
        }
        while (at < data.Length)
        {
            if (block.Skipped?.Find(s => s.From == at) is { To: > 0 } skip)
            {
                at = skip.To;
                continue;
            }
            var status = RecordFormat.TryRead(data.AsSpan(at), block.Id, verify: true, out var r);
            if (status != RecordFormat.ReadStatus.Ok)
            {
                MarkDamagedLocked(block, at, status == RecordFormat.ReadStatus.Corrupt ? "checksum mismatch" : "record cut short");
                break;
            }
            if (r.Kind is RecordKind.Message or RecordKind.Skip && r.Seq >= block.First && r.Seq <= block.Last)
            {
                offsets[r.Seq - block.First] = (uint)at;
            }
            at += r.Size;
        }
        block.Data = data;
        block.Offsets = offsets;
        block.LastUsed = Environment.TickCount64;
    }

    /// <summary>A block failed verification after recovery (bit rot, a truncated file): its rest is lost.</summary>
    private void MarkDamagedLocked(Block block, int offset, string reason)
    {
        if (block.Corrupt)
        {
            return;
        }
        block.Corrupt = true;
        ReportLostLocked(new LostData(block.First, block.Last, block.Length - offset, BlockPath(block.Id), $"{reason} at offset {offset}"));
    }

    /// <summary>
    /// Drops the least recently used sealed blocks' bytes past <see cref="FileStoreOptions.CachedBlocks"/>
    /// once they are durable. Without it a stream that is only appended to would keep every
    /// sealed block in memory (nothing reads them back, so nothing else evicts) until the
    /// maintenance timer's expiry, which runs only for streams with an age or TTL.
    /// </summary>
    private void TrimCacheLocked()
    {
        while (true)
        {
            var cached = 0;
            Block? oldest = null;
            foreach (var b in Blocks)
            {
                if (b == ActiveLocked || b.Data is null || b.Written != b.Length || b.Durable != b.Length)
                {
                    continue;
                }
                cached++;
                if (oldest is null || b.LastUsed < oldest.LastUsed)
                {
                    oldest = b;
                }
            }
            if (cached <= _options.CachedBlocks || oldest is null)
            {
                return;
            }
            oldest.Evict();
        }
    }

    /// <summary>Keeps at most CachedBlocks sealed blocks cached, dropping the least recently used.</summary>
    private void EvictColdLocked(Block keep)
    {
        var cached = 0;
        Block? oldest = null;
        foreach (var b in Blocks)
        {
            if (b == keep || b == ActiveLocked || b.Data is null || b.Written != b.Length)
            {
                continue;
            }
            cached++;
            if (oldest is null || b.LastUsed < oldest.LastUsed)
            {
                oldest = b;
            }
        }
        if (cached >= _options.CachedBlocks && oldest is not null)
        {
            oldest.Evict();
        }
    }

    private protected override void MaintainStorage()
    {
        var schedule = false;
        lock (Gate)
        {
            var now = Environment.TickCount64;
            foreach (var b in Blocks)
            {
                if (b != ActiveLocked && b.Data is not null && b.Written == b.Length && b.Durable == b.Length
                    && now - b.LastUsed > (long)_options.CacheExpiry.TotalMilliseconds)
                {
                    b.Evict();
                }
            }
            if (_options.Sync == SyncMode.Interval && _unsynced && now - _lastFsync >= (long)_options.SyncInterval.TotalMilliseconds)
            {
                _forceFsync = true;
                schedule = ScheduleLocked();
            }
        }
        if (schedule)
        {
            SyncWorkers.Shared.Schedule(_runSync);
        }
    }

    private protected override void CompactBlockLocked(Block block)
    {
        if (block == ActiveLocked || block.Written != block.Length || block.Durable != block.Length)
        {
            return;
        }
        EnsureCachedLocked(block);
        var old = block.Data;
        if (old is null || block.Corrupt)
        {
            return;
        }
        var data = new byte[block.Length];
        RecordFormat.WriteFileHeader(data, block.Id);
        var at = RecordFormat.FileHeaderSize;
        var offsets = new uint[block.Offsets?.Length ?? 0];
        long recordBytes = 0;
        var tombstones = 0;
        var oldest = Blocks[0].First;
        var read = RecordFormat.FileHeaderSize;
        while (read < block.Length && RecordFormat.TryRead(old.AsSpan(read, block.Length - read), block.Id, false, out var r) == RecordFormat.ReadStatus.Ok)
        {
            var keep = r.Kind switch
            {
                RecordKind.Message => !block.IsDeleted(r.Seq),
                RecordKind.Tombstone => r.Seq >= oldest && r.Seq < block.First && FindBlockLocked(r.Seq) is not null,
                _ => false,
            };
            if (keep)
            {
                old.AsSpan(read, r.Size).CopyTo(data.AsSpan(at));
                if (r.Kind == RecordKind.Message)
                {
                    offsets[r.Seq - block.First] = (uint)at;
                    recordBytes += (long)AccountedSize(r.SubjectLength, r.HeaderLength, r.PayloadLength);
                }
                else
                {
                    tombstones++;
                }
                at += r.Size;
            }
            read += r.Size;
        }
        var path = BlockPath(block.Id);
        var temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, data.AsSpan(0, at), 0);
            NativeSync.DataSync(handle);
        }
        File.Move(temp, path, overwrite: true);
        NativeSync.SyncDirectory(_msgDir);
        block.Data = data;
        block.Offsets = offsets;
        block.Length = block.Written = block.Durable = at;
        block.RecordBytes = recordBytes;
        block.Tombstones = tombstones;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        lock (Gate)
        {
            if (Closed)
            {
                return;
            }
        }
        StopMaintenance();
        try
        {
            FlushAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
        }
        catch (Exception e)
        {
            StoreLog.MaintenanceFailed(Logger, e);
        }
        lock (Gate)
        {
            Closed = true;
            DetachUsageLocked();
            WriteIndexLocked();
            foreach (var (block, handle) in _handles)
            {
                // A clean close leaves exact files: the next open finds no zero tail to cut.
                CutToLength(block, handle);
                handle.Dispose();
            }
            _handles.Clear();
        }
    }

    /// <summary>Closes the store and deletes its files.</summary>
    public void Delete()
    {
        Dispose();
        try
        {
            Directory.Delete(_options.Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>A range to write in this commit; <c>Synced</c> once its write was durable by itself.</summary>
    private readonly record struct PendingWrite(Block Block, SafeFileHandle Handle, byte[] Data, int From, int To, bool Synced = false);
}

/// <summary>What a recovery found: torn tails truncated, damage reported, whether the index was used.</summary>
public sealed record RecoveryReport(bool UsedIndex, IReadOnlyList<string> Truncated, IReadOnlyList<LostData> Lost, int Blocks, TimeSpan Elapsed)
{
    /// <summary>No recovery ran (a new store).</summary>
    public static readonly RecoveryReport Empty = new(false, [], [], 0, TimeSpan.Zero);
}
