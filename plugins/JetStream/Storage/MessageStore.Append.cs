namespace Nats.JetStream.Storage;

public abstract partial class MessageStore
{
    /// <summary>The size a block grows to before the next one starts.</summary>
    private protected abstract int MaxBlockSize { get; }

    /// <summary>Whether records carry checksums (the file store's do; the memory store's need none).</summary>
    private protected abstract bool ChecksumRecords { get; }

    /// <summary>Creates the next block with its header written (the file store opens its file).</summary>
    private protected abstract Block CreateBlockLocked(ulong id);

    private protected Block ActiveLocked => Blocks[^1];

    /// <summary>
    /// Stores a message: assigns the next sequence, applies the limits (refusing it under
    /// discard new, removing old messages under discard old). The message becomes visible to
    /// readers, and its publisher may be acknowledged, once <see cref="IStoreListener.MessagesDurable"/>
    /// covers its sequence.
    /// </summary>
    /// <param name="subject">The message's subject (UTF-8).</param>
    /// <param name="headers">Its headers (NATS/1.0 block); empty when none.</param>
    /// <param name="payload">Its payload.</param>
    /// <param name="ttl">Per-message TTL in nanoseconds; 0 for none, -1 for never (kept even past max_age).</param>
    /// <param name="seq">The sequence given to the message.</param>
    /// <param name="timestamp">Its time, Unix nanoseconds.</param>
    /// <param name="isRollupOrForced">Let a rollup through a discard-new-per-subject limit (it purges the subject after).</param>
    public StoreError Append(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long ttl,
        out ulong seq, out long timestamp, bool isRollupOrForced = false)
    {
        StoreError result;
        lock (Gate)
        {
            result = AppendLocked(subject, headers, payload, ttl, 0, 0, isRollupOrForced, out seq, out timestamp);
        }
        if (result == StoreError.None)
        {
            AfterWrite();
        }
        return result;
    }

    /// <summary>
    /// Stores a message at a given sequence and time (mirrors, restores): the sequence must be
    /// the next one; no discard-new checks (the origin decided).
    /// </summary>
    public StoreError AppendRaw(ulong seq, long timestamp, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long ttl)
    {
        StoreError result;
        lock (Gate)
        {
            result = AppendLocked(subject, headers, payload, ttl, seq, timestamp, true, out _, out _);
        }
        if (result == StoreError.None)
        {
            AfterWrite();
        }
        return result;
    }

    /// <summary>Uses the next sequence without a message (nats-server SkipMsg); returns it.</summary>
    public ulong SkipMsg()
    {
        ulong seq;
        lock (Gate)
        {
            if (Closed)
            {
                return 0;
            }
            seq = LastSeqField + 1;
            var ts = NowLocked();
            var block = AppendRecordLocked(RecordKind.Skip, seq, ts, 0, default, default, default);
            block.MarkDeleted(seq);
            LastSeqField = seq;
            LastTsField = ts;
            if (MsgsField == 0)
            {
                FirstSeqField = seq + 1;
                OnFrontRemovedLocked(seq + 1);
            }
            else
            {
                OnInteriorRemovedLocked(seq);
            }
        }
        AfterWrite();
        return seq;
    }

    private StoreError AppendLocked(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long ttl,
        ulong rawSeq, long rawTs, bool forced, out ulong seq, out long timestamp)
    {
        seq = 0;
        timestamp = 0;
        if (Closed)
        {
            return StoreError.Closed;
        }
        var limits = Limits;
        if (limits.MaxMsgSize > 0 && headers.Length + payload.Length > limits.MaxMsgSize)
        {
            return StoreError.MsgTooLarge;
        }
        var size = AccountedSize(subject.Length, headers.Length, payload.Length);
        if (rawSeq == 0 && limits.Discard == DiscardPolicy.New)
        {
            var atSubjectLimit = false;
            ulong firstOfSubjectSize = 0;
            if (limits.MaxMsgsPerSubject > 0)
            {
                ref var st = ref Subjects.Find(subject, out var key);
                if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref st) && st.Msgs + 1 > (ulong)limits.MaxMsgsPerSubject)
                {
                    if (limits.DiscardNewPerSubject && !forced)
                    {
                        return StoreError.MaxMsgsPerSubject;
                    }
                    atSubjectLimit = true;
                    firstOfSubjectSize = SizeOfLocked(FirstOfSubjectLocked(key!));
                }
            }
            if (limits.MaxMsgs > 0 && MsgsField >= (ulong)limits.MaxMsgs && !atSubjectLimit)
            {
                return StoreError.MaxMsgs;
            }
            if (limits.MaxBytes > 0 && BytesField + size > (ulong)limits.MaxBytes && (!atSubjectLimit || firstOfSubjectSize < size))
            {
                return StoreError.MaxBytes;
            }
        }
        if (rawSeq != 0 && rawSeq != LastSeqField + 1)
        {
            return StoreError.SequenceMismatch;
        }
        seq = LastSeqField + 1;
        timestamp = rawTs != 0 ? rawTs : NowLocked();
        StoreMessageLocked(seq, timestamp, subject, headers, payload, ttl, size);
        return StoreError.None;
    }

    /// <summary>Unix nanoseconds, never before the last message's (keeps time order = sequence order).</summary>
    private protected long NowLocked()
    {
        var now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        return now > LastTsField ? now : LastTsField;
    }

    private void StoreMessageLocked(ulong seq, long ts, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long ttl, ulong size)
    {
        var block = AppendRecordLocked(RecordKind.Message, seq, ts, ttl, subject, headers, payload);
        block.Msgs++;
        block.Bytes += size;
        block.RecordBytes += (long)size;
        MsgsField++;
        BytesField += size;
        if (MsgsField == 1)
        {
            FirstSeqField = seq;
        }
        LastSeqField = seq;
        LastTsField = ts;
        ref var st = ref Subjects.GetOrAdd(subject, out var key);
        if (st.Msgs == 0)
        {
            st.First = seq;
            st.FirstStale = false;
        }
        st.Msgs++;
        st.Last = seq;
        st.LastStale = false;
        if (ttl > 0)
        {
            TtlQueue.Enqueue(seq, ts + ttl);
            EnsureMaintenanceLocked();
        }
        else if (Limits.MaxAge > TimeSpan.Zero)
        {
            EnsureMaintenanceLocked();
        }
        EnforceLimitsAfterStoreLocked(key);
    }

    /// <summary>Appends a record to the active block, starting a new block when it is full.</summary>
    private protected Block AppendRecordLocked(RecordKind kind, ulong seq, long ts, long ttl,
        ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var size = RecordFormat.RecordSize(subject.Length, headers.Length, payload.Length, ttl);
        var block = ActiveLocked;
        if (block.Length + size > MaxBlockSize && (!block.IsEmptyRange || block.Tombstones > 0))
        {
            block = RollLocked();
        }
        var offset = block.Length;
        EnsureCapacity(block, offset + size);
        RecordFormat.Write(block.Data.AsSpan(offset, size), block.Id, kind, seq, ts, ttl, subject, headers, payload, ChecksumRecords);
        block.Length = offset + size;
        if (kind is RecordKind.Message or RecordKind.Skip)
        {
            if (block.IsEmptyRange)
            {
                block.First = seq;
                block.FirstTs = ts;
            }
            block.Last = seq;
            block.LastTs = ts;
            block.SetOffset(seq, (uint)offset);
        }
        else if (kind == RecordKind.Tombstone)
        {
            block.Tombstones++;
        }
        OnRecordAppendedLocked(block, kind, offset);
        return block;
    }

    /// <summary>Called for every appended record (the file store remembers where its floor record is).</summary>
    private protected virtual void OnRecordAppendedLocked(Block block, RecordKind kind, int offset)
    {
    }

    private static void EnsureCapacity(Block block, int needed)
    {
        var data = block.Data!;
        if (data.Length >= needed)
        {
            return;
        }
        // A new array, never a pooled one: the sync worker may still be writing from the old.
        var grown = new byte[Math.Max(needed, Math.Min(data.Length * 2, Math.Max(needed, 8 << 20)))];
        data.AsSpan(0, block.Length).CopyTo(grown);
        block.Data = grown;
    }

    /// <summary>Seals the active block and starts the next.</summary>
    private protected Block RollLocked()
    {
        var next = CreateBlockLocked(ActiveLocked.Id + 1);
        Blocks.Add(next);
        return next;
    }

    private ulong SizeOfLocked(ulong seq)
    {
        var block = seq == 0 ? null : FindBlockLocked(seq);
        if (block is null || !TryGetRecordLocked(block, seq, out var r, out _))
        {
            return 0;
        }
        return AccountedSize(r.SubjectLength, r.HeaderLength, r.PayloadLength);
    }
}
