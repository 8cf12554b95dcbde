using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Storage;

public sealed partial class FileStore
{
    private void Recover()
    {
        lock (Gate)
        {
            RecoverLocked();
        }
        AfterWrite();
    }

    /// <summary>What the first pass learned of one block file.</summary>
    private sealed class ScannedBlock(Block block)
    {
        public Block Block { get; } = block;
        public List<ulong> Skips { get; } = [];
        public ulong MaxTombstoneTarget;

        /// <summary>Whether the block holds message (or skip) records.</summary>
        public bool HasMessages;

        /// <summary>The block's end is damaged: sequences after this one up to the next block are lost.</summary>
        public ulong LostAfter;
        public long LostBytes;
        public string? LostReason;
    }

    /// <summary>
    /// Rebuilds the in-memory state from the block files. Every record's checksum is verified.
    /// A torn tail of the last block (a write cut by a crash: nothing valid after it) is
    /// truncated and logged; damage anywhere else is skipped over to the next valid record and
    /// reported as lost data (the stream is unhealthy), never served. The index file, when it
    /// matches the blocks exactly, saves rebuilding the per-subject state.
    /// </summary>
    private void RecoverLocked()
    {
        var watch = Stopwatch.StartNew();
        Blocks.Clear();
        Subjects.Clear();
        TtlQueue.Clear();
        ClearLostLocked();
        foreach (var h in _handles.Values)
        {
            h.Dispose();
        }
        _handles.Clear();
        _pendingDeletes = [];
        _floorBlock = null;
        MsgsField = BytesField = 0;
        LastSeqField = 0;
        LastTsField = 0;
        _floor = 1;
        Directory.CreateDirectory(_msgDir);
        foreach (var temp in Directory.EnumerateFiles(_msgDir, "*.tmp"))
        {
            File.Delete(temp);
        }
        var ids = Directory.EnumerateFiles(_msgDir, "*.blk")
            .Select(p => ulong.TryParse(Path.GetFileNameWithoutExtension(p), out var id) ? id : 0)
            .Where(id => id != 0)
            .Order()
            .ToList();
        var truncated = new List<string>();
        RemoveUnwrittenLastBlocks(ids, truncated);
        var index = ReadIndex();
        var tombstones = new List<ulong>();
        var scanned = new List<ScannedBlock>();
        var damaged = false;
        for (var i = 0; i < ids.Count; i++)
        {
            var result = ScanBlockLocked(ids[i], i == ids.Count - 1, tombstones, truncated, ref damaged);
            if (result is not null)
            {
                scanned.Add(result);
            }
        }
        if (ids.Count == 0 && Limits.FirstSeq > 1)
        {
            _floor = Limits.FirstSeq;
            LastSeqField = Limits.FirstSeq - 1;
        }
        ulong previousLast = 0;
        foreach (var s in scanned)
        {
            if (s.HasMessages)
            {
                LastSeqField = Math.Max(LastSeqField, s.Block.Last);
                LastTsField = Math.Max(LastTsField, s.Block.LastTs);
                previousLast = s.Block.Last;
            }
            else
            {
                s.Block.InitRange(previousLast + 1);
            }
        }
        ReportDamagedEndsLocked(scanned);
        var useIndex = index is not null && !damaged && index.Matches(scanned.Select(s => s.Block).ToList(), _floor, LastSeqField);
        MarkRemovedLocked(scanned, tombstones);
        foreach (var s in scanned)
        {
            Blocks.Add(s.Block);
        }
        if (useIndex && !index!.ApplyTo(this))
        {
            useIndex = false;
            Subjects.Clear();
            TtlQueue.Clear();
            MsgsField = BytesField = 0;
        }
        if (!useIndex)
        {
            RebuildSubjectsLocked();
        }
        foreach (var block in Blocks)
        {
            block.Written = block.Durable = block.Length;
            block.Evict();
        }
        FirstSeqField = MsgsField == 0 ? LastSeqField + 1 : NextLiveLocked(_floor);
        _floor = Math.Max(_floor, FirstSeqField);
        // Appends go to a new block, never after recovered data; it starts with the floor and
        // the last sequence, durable before any older block may be deleted.
        var active = CreateBlockLocked((ids.Count > 0 ? ids[^1] : 0) + 1);
        Blocks.Add(active);
        if (TryWriteNewBlockLocked(active))
        {
            DropDeadBlocksLocked(scanned);
        }
        VisibleSeq = LastSeqField;
        var indexPath = Path.Combine(_msgDir, "index.db");
        if (File.Exists(indexPath))
        {
            // From here on the blocks change: an old index must never be mistaken for current.
            File.Delete(indexPath);
        }
        EnforceLimitsLocked();
        if (TtlQueue.Count > 0 || Limits.MaxAge > TimeSpan.Zero)
        {
            EnsureMaintenanceLocked();
        }
        LastRecovery = new RecoveryReport(useIndex, truncated, Lost, ids.Count, watch.Elapsed);
    }

    private ScannedBlock? ScanBlockLocked(ulong id, bool isLast, List<ulong> tombstones, List<string> truncated, ref bool damaged)
    {
        var path = BlockPath(id);
        var data = File.ReadAllBytes(path);
        if (!RecordFormat.CheckFileHeader(data, id))
        {
            // (Unwritten last blocks went before the scan: RemoveUnwrittenLastBlocks.)
            damaged = true;
            ReportLostLocked(new LostData(0, 0, data.Length, path, "bad block header: block not served"));
            File.Move(path, path + ".corrupt", overwrite: true);
            return null;
        }
        var scan = new ScannedBlock(new Block(id));
        var block = scan.Block;
        var offsets = new List<(ulong Seq, int Offset)>();
        var at = RecordFormat.FileHeaderSize;
        ulong lastGood = 0;
        while (at < data.Length)
        {
            var status = RecordFormat.TryRead(data.AsSpan(at), id, verify: true, out var r);
            if (status == RecordFormat.ReadStatus.Ok && (r.Kind is not (RecordKind.Message or RecordKind.Skip) || r.Seq > lastGood))
            {
                switch (r.Kind)
                {
                    case RecordKind.Message:
                    case RecordKind.Skip:
                        if (!scan.HasMessages)
                        {
                            scan.HasMessages = true;
                            block.First = r.Seq;
                            block.FirstTs = r.Timestamp;
                        }
                        block.Last = r.Seq;
                        block.LastTs = r.Timestamp;
                        lastGood = r.Seq;
                        offsets.Add((r.Seq, at));
                        if (r.Kind == RecordKind.Skip)
                        {
                            scan.Skips.Add(r.Seq);
                        }
                        break;
                    case RecordKind.Tombstone:
                        tombstones.Add(r.Seq);
                        block.Tombstones++;
                        scan.MaxTombstoneTarget = Math.Max(scan.MaxTombstoneTarget, r.Seq);
                        break;
                    case RecordKind.Floor:
                        _floor = Math.Max(_floor, r.Seq);
                        if (r.PayloadLength == 8)
                        {
                            LastSeqField = Math.Max(LastSeqField, BinaryPrimitives.ReadUInt64LittleEndian(r.Payload(data.AsSpan(at))));
                        }
                        break;
                }
                at += r.Size;
                continue;
            }
            if (status == RecordFormat.ReadStatus.End && data.AsSpan(at).IndexOfAnyExcept((byte)0) < 0)
            {
                // A zero-filled tail: space allocated ahead of the data (AllocateAhead) whose cut
                // back was not reached or not durable before a crash. Not data, and not damage:
                // cut without a report, in any block.
                CutZeroTail(path, at);
                break;
            }
            var next = FindNextRecord(data, at + 1, id, lastGood);
            if (next < 0)
            {
                if (isLast)
                {
                    TruncateLocked(path, at, data.Length, lastGood, DescribeTorn(data, at, id), truncated);
                }
                else
                {
                    damaged = true;
                    scan.LostAfter = lastGood == 0 ? Math.Max(1, block.First) : lastGood;
                    scan.LostBytes = data.Length - at;
                    scan.LostReason = $"{DescribeTorn(data, at, id)} at offset {at} of a sealed block";
                }
                break;
            }
            damaged = true;
            RecordFormat.TryRead(data.AsSpan(next), id, verify: false, out var resumed);
            var lostLast = resumed.Kind is RecordKind.Message or RecordKind.Skip ? resumed.Seq - 1 : 0;
            ReportLostLocked(new LostData(lastGood + 1, lostLast, next - at, path, $"damaged records at offset {at}, resumed at {next}"));
            (block.Skipped ??= []).Add((at, next));
            at = next;
        }
        block.Length = at;
        if (scan.HasMessages)
        {
            var array = new uint[block.Last - block.First + 1];
            foreach (var (seq, offset) in offsets)
            {
                array[seq - block.First] = (uint)offset;
            }
            block.Offsets = array;
        }
        return scan;
    }

    /// <summary>
    /// Removes the newest block files that hold nothing written: no header yet, or no valid
    /// header and only zeros (created, or allocated ahead, by a crash before their first commit;
    /// nothing in them was acknowledged). The block before them is then the last one, so a
    /// torn tail there is a cut write to truncate, not lost data in a sealed block.
    /// </summary>
    private void RemoveUnwrittenLastBlocks(List<ulong> ids, List<string> truncated)
    {
        Span<byte> header = stackalloc byte[RecordFormat.FileHeaderSize];
        while (ids.Count > 0)
        {
            var path = BlockPath(ids[^1]);
            long length;
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
            {
                length = RandomAccess.GetLength(handle);
                var n = RandomAccess.Read(handle, header, 0);
                if (RecordFormat.CheckFileHeader(header[..n], ids[^1])
                    || (length > RecordFormat.FileHeaderSize && header[..n].IndexOfAnyExcept((byte)0) >= 0))
                {
                    return;
                }
            }
            // Only a file that starts with zeros is read whole: is anything written further on?
            if (length > RecordFormat.FileHeaderSize && File.ReadAllBytes(path).AsSpan().IndexOfAnyExcept((byte)0) >= 0)
            {
                return;
            }
            truncated.Add($"{path}: empty block removed ({length} bytes)");
            StoreLog.UnwrittenBlockRemoved(Logger, path, (int)Math.Min(length, int.MaxValue));
            File.Delete(path);
            ids.RemoveAt(ids.Count - 1);
        }
    }

    private static void CutZeroTail(string path, int at)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.SetLength(handle, at);
    }

    /// <summary>The next offset holding a record that verifies and continues the sequence, or -1.</summary>
    private static int FindNextRecord(byte[] data, int from, ulong id, ulong lastGood)
    {
        for (var at = from; at + RecordFormat.MinRecordSize <= data.Length; at++)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at));
            if (size < RecordFormat.MinRecordSize || size > data.Length - at || data[at + 4] is 0 or > 4 || data[at + 5] > 1)
            {
                continue;
            }
            if (RecordFormat.TryRead(data.AsSpan(at), id, verify: true, out var r) == RecordFormat.ReadStatus.Ok
                && (r.Kind is not (RecordKind.Message or RecordKind.Skip) || r.Seq > lastGood))
            {
                return at;
            }
        }
        return -1;
    }

    private static string DescribeTorn(byte[] data, int at, ulong id)
    {
        if (data.Length - at >= RecordFormat.FixedSize)
        {
            var kind = data[at + 4];
            var seq = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at + 8));
            if (kind is 1 or 4 && seq != 0)
            {
                return $"incomplete or damaged record (seq {seq})";
            }
        }
        return "incomplete or damaged record";
    }

    private void TruncateLocked(string path, int at, int length, ulong lastGood, string what, List<string> truncated)
    {
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(handle, at);
            NativeSync.DataSync(handle);
        }
        var text = $"{path}: truncated {length - at} bytes at offset {at} after seq {lastGood}: {what}";
        truncated.Add(text);
        StoreLog.TornTailTruncated(Logger, text);
    }

    /// <summary>Sealed blocks whose end was damaged: the lost range runs to the next block's first sequence.</summary>
    private void ReportDamagedEndsLocked(List<ScannedBlock> scanned)
    {
        for (var i = 0; i < scanned.Count; i++)
        {
            var s = scanned[i];
            if (s.LostReason is null)
            {
                continue;
            }
            var nextFirst = scanned.Skip(i + 1).Where(n => n.HasMessages).Select(n => n.Block.First).FirstOrDefault();
            var last = nextFirst != 0 ? nextFirst - 1 : LastSeqField;
            ReportLostLocked(new LostData(s.LostAfter + 1, last, s.LostBytes, BlockPath(s.Block.Id), s.LostReason));
        }
    }

    /// <summary>Applies the floor, skips, gaps and tombstones to the delete bitmaps and counts.</summary>
    private void MarkRemovedLocked(List<ScannedBlock> scanned, List<ulong> tombstones)
    {
        foreach (var s in scanned)
        {
            var block = s.Block;
            if (!s.HasMessages)
            {
                continue;
            }
            for (var seq = block.First; seq <= block.Last; seq++)
            {
                if (seq < _floor || block.OffsetOf(seq) == 0)
                {
                    block.MarkDeleted(seq);
                }
            }
            foreach (var seq in s.Skips)
            {
                block.MarkDeleted(seq);
            }
        }
        var lookup = scanned.Where(s => s.HasMessages).Select(s => s.Block).ToList();
        foreach (var t in tombstones)
        {
            var block = FindIn(lookup, t);
            block?.MarkDeleted(t);
        }
        foreach (var s in scanned)
        {
            var block = s.Block;
            block.Msgs = !s.HasMessages ? 0 : block.Last - block.First + 1 - block.DeletedCount;
        }
    }

    private static Block? FindIn(List<Block> blocks, ulong seq)
    {
        int lo = 0, hi = blocks.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            var b = blocks[mid];
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

    /// <summary>The second pass: subjects, bytes and TTLs of the live messages, block by block.</summary>
    private void RebuildSubjectsLocked()
    {
        foreach (var block in Blocks)
        {
            if (block.Msgs == 0)
            {
                continue;
            }
            if (block.Data is null)
            {
                LoadBlockLocked(block);
            }
            ulong bytes = 0;
            long recordBytes = 0;
            var data = block.Data!;
            for (var seq = block.First; seq <= block.Last; seq++)
            {
                var offset = block.OffsetOf(seq);
                if (offset == 0 || RecordFormat.TryRead(data.AsSpan((int)offset), block.Id, false, out var r) != RecordFormat.ReadStatus.Ok || r.Kind != RecordKind.Message)
                {
                    continue;
                }
                var size = AccountedSize(r.SubjectLength, r.HeaderLength, r.PayloadLength);
                recordBytes += (long)size;
                if (block.IsDeleted(seq))
                {
                    continue;
                }
                bytes += size;
                var record = data.AsSpan((int)offset, r.Size);
                ref var st = ref Subjects.GetOrAdd(r.Subject(record), out _);
                if (st.Msgs == 0)
                {
                    st.First = seq;
                }
                st.Msgs++;
                st.Last = seq;
                if (r.Ttl > 0)
                {
                    TtlQueue.Enqueue(seq, r.Timestamp + r.Ttl);
                }
            }
            block.Bytes = bytes;
            block.RecordBytes = recordBytes;
            MsgsField += block.Msgs;
            BytesField += bytes;
            block.Evict();
        }
    }

    /// <summary>
    /// Writes the new active block's start at open. On a full disk (or another write error) the
    /// store still opens, so that what is stored can be read and purged: the start stays unwritten,
    /// goes out with the next group commit, and until there is room every publish is answered with
    /// the write error (the commit fails and the store recovers again). No older block is dropped
    /// meanwhile, since the floor they would leave to this block is not durable.
    /// </summary>
    private bool TryWriteNewBlockLocked(Block block)
    {
        try
        {
            WriteNowLocked(block);
            return true;
        }
        catch (IOException e)
        {
            StoreLog.NewBlockFailed(Logger, _options.Directory, e.Message);
            block.Written = block.Durable = 0;
            _directoryDirty = true;
            return false;
        }
    }

    /// <summary>Writes and syncs a block's pending bytes at once (recovery only, before deleting anything).</summary>
    private void WriteNowLocked(Block block)
    {
        var handle = _handles[block];
        RandomAccess.Write(handle, block.Data.AsSpan(block.Written, block.Length - block.Written), block.Written);
        NativeSync.DataSync(handle);
        NativeSync.SyncDirectory(_msgDir);
        _directoryDirty = false;
        block.Written = block.Durable = block.Length;
        _floorBlock = null;
    }

    /// <summary>Deletes sealed block files with nothing live and nothing another block still needs.</summary>
    private void DropDeadBlocksLocked(List<ScannedBlock> scanned)
    {
        var removed = false;
        foreach (var s in scanned)
        {
            var block = s.Block;
            if (block.Msgs > 0)
            {
                continue;
            }
            if (s.MaxTombstoneTarget >= _floor && Blocks.Any(b => b != block && b.Msgs > 0 && b.First <= s.MaxTombstoneTarget))
            {
                continue;
            }
            Blocks.Remove(block);
            File.Delete(BlockPath(block.Id));
            removed = true;
        }
        if (removed)
        {
            NativeSync.SyncDirectory(_msgDir);
        }
    }
}
