using System.Numerics;

namespace Nats.JetStream.Storage;

/// <summary>
/// One block of a store: a contiguous range of sequences and, for the file store, one file.
/// What stays in memory for every block is a handful of numbers and the delete bitmap; the
/// record bytes and the per-sequence offsets (<see cref="Data"/>, <see cref="Offsets"/>) are a
/// cache that the file store drops for cold blocks and reloads on demand. All fields are owned
/// by the store's lock, except that the sync worker reads the byte ranges it writes.
/// </summary>
internal sealed class Block
{
    public Block(ulong id)
    {
        Id = id;
    }

    public ulong Id { get; }

    /// <summary>First and last sequence with a record here (0 when none yet).</summary>
    public ulong First;
    public ulong Last;

    /// <summary>Live messages and their bytes (as accounted, nats-server formula).</summary>
    public ulong Msgs;
    public ulong Bytes;

    /// <summary>Bytes of the message records physically in the block (live or not): drives compaction.</summary>
    public long RecordBytes;

    /// <summary>Timestamps of the first and last message records.</summary>
    public long FirstTs;
    public long LastTs;

    /// <summary>Total bytes of the block (its file length once written), known even when evicted.</summary>
    public int Length;

    /// <summary>Bytes handed to the OS, and bytes known durable (file store).</summary>
    public int Written;
    public int Durable;

    /// <summary>
    /// The file's size when the sync worker allocated it ahead of the data (file store; sync
    /// worker only): past <see cref="Length"/> the file holds zeros, which recovery reads as the
    /// end of the data; a sealed block is cut back to its length.
    /// </summary>
    public long Allocated;

    /// <summary>Tombstone records this block carries (they must move before the block may go).</summary>
    public int Tombstones;

    /// <summary>The cached record bytes [0, Length), or null when evicted.</summary>
    public byte[]? Data;

    /// <summary>Offset of each sequence's record in <see cref="Data"/> (index seq-First; 0: no record).</summary>
    public uint[]? Offsets;

    /// <summary>When the cache was last used (Environment.TickCount64).</summary>
    public long LastUsed;

    /// <summary>Set when a record failed verification: the block serves nothing past the damage.</summary>
    public bool Corrupt;

    /// <summary>Byte ranges recovery found damaged and skipped (already reported; skipped again on reload).</summary>
    public List<(int From, int To)>? Skipped;

    private ulong[]? _deleted;
    private ulong _deletedCount;

    public bool HasCache => Data is not null;

    /// <summary>No message record yet: the range is empty but placed, [start, start-1], so blocks stay ordered.</summary>
    public bool IsEmptyRange => Last < First;

    public void InitRange(ulong start)
    {
        First = start;
        Last = start - 1;
    }

    public ulong DeletedCount => _deletedCount;

    public bool IsDeleted(ulong seq)
    {
        if (seq < First || seq > Last || _deleted is null)
        {
            return false;
        }
        var i = seq - First;
        var word = (int)(i >> 6);
        return word < _deleted.Length && (_deleted[word] & (1UL << (int)(i & 63))) != 0;
    }

    /// <summary>Marks a sequence removed; false when it already was.</summary>
    public bool MarkDeleted(ulong seq)
    {
        var i = seq - First;
        var word = (int)(i >> 6);
        if (_deleted is null || word >= _deleted.Length)
        {
            var size = Math.Max(word + 1, (int)((Last - First + 64) >> 6));
            Array.Resize(ref _deleted, Math.Max(size, (_deleted?.Length ?? 0) * 2));
        }
        var bit = 1UL << (int)(i & 63);
        if ((_deleted[word] & bit) != 0)
        {
            return false;
        }
        _deleted[word] |= bit;
        _deletedCount++;
        return true;
    }

    /// <summary>The next live sequence at or after <paramref name="seq"/> in this block, or 0.</summary>
    public ulong NextLive(ulong seq)
    {
        if (seq < First)
        {
            seq = First;
        }
        if (Msgs == 0)
        {
            return 0;
        }
        if (_deleted is null)
        {
            return seq <= Last ? seq : 0;
        }
        while (seq <= Last)
        {
            var i = seq - First;
            var word = (int)(i >> 6);
            if (word >= _deleted.Length)
            {
                return seq;
            }
            var free = ~_deleted[word] >> (int)(i & 63);
            if (free != 0)
            {
                var next = seq + (ulong)BitOperations.TrailingZeroCount(free);
                return next <= Last ? next : 0;
            }
            seq = First + ((ulong)(word + 1) << 6);
        }
        return 0;
    }

    /// <summary>The previous live sequence at or before <paramref name="seq"/>, or 0.</summary>
    public ulong PrevLive(ulong seq)
    {
        if (seq > Last)
        {
            seq = Last;
        }
        while (Msgs > 0 && seq >= First && seq != 0)
        {
            if (!IsDeleted(seq))
            {
                return seq;
            }
            seq--;
        }
        return 0;
    }

    /// <summary>The deleted sequences (for stream info <c>deleted</c> and the index file).</summary>
    public IEnumerable<ulong> DeletedSequences()
    {
        if (_deleted is null)
        {
            yield break;
        }
        for (var w = 0; w < _deleted.Length; w++)
        {
            var bits = _deleted[w];
            while (bits != 0)
            {
                var b = BitOperations.TrailingZeroCount(bits);
                var seq = First + ((ulong)w << 6) + (ulong)b;
                if (seq <= Last)
                {
                    yield return seq;
                }
                bits &= bits - 1;
            }
        }
    }

    /// <summary>Offset of a sequence's record in the cached data, or 0 when none.</summary>
    public uint OffsetOf(ulong seq)
    {
        var offsets = Offsets;
        if (offsets is null || seq < First || seq > Last)
        {
            return 0;
        }
        var i = seq - First;
        return i < (ulong)offsets.Length ? offsets[i] : 0;
    }

    /// <summary>Records a sequence's offset while appending or loading.</summary>
    public void SetOffset(ulong seq, uint offset)
    {
        var i = (int)(seq - First);
        if (Offsets is null)
        {
            Offsets = new uint[Math.Max(64, i + 1)];
        }
        else if (i >= Offsets.Length)
        {
            Array.Resize(ref Offsets, Math.Max(i + 1, Offsets.Length * 2));
        }
        Offsets[i] = offset;
    }

    /// <summary>Drops the cache (the file store reloads it from disk when needed).</summary>
    public void Evict()
    {
        Data = null;
        Offsets = null;
    }
}
