using System.Runtime.CompilerServices;

namespace Nats.JetStream.Storage;

public abstract partial class MessageStore
{
    /// <summary>The first live message moved up to <paramref name="newFirst"/> (the file store records a floor).</summary>
    private protected abstract void OnFrontRemovedLocked(ulong newFirst);

    /// <summary>A message other than the first was removed (the file store appends a tombstone).</summary>
    private protected abstract void OnInteriorRemovedLocked(ulong seq);

    /// <summary>A sealed block has no live message left: it goes (the file store deletes its file once safe).</summary>
    private protected abstract void OnBlockDroppedLocked(Block block);

    /// <summary>Removes a message; false when there is none at that sequence.</summary>
    public bool Remove(ulong seq)
    {
        bool removed;
        lock (Gate)
        {
            removed = !Closed && RemoveLocked(seq);
        }
        if (removed)
        {
            AfterWrite();
        }
        return removed;
    }

    /// <summary>
    /// Removes a message and makes sure its bytes are gone from the store, not only marked
    /// removed: its block is rewritten without it.
    /// </summary>
    public bool Erase(ulong seq)
    {
        Block? block;
        lock (Gate)
        {
            block = Closed ? null : FindBlockLocked(seq);
            if (block is null || !RemoveLocked(seq))
            {
                return false;
            }
            if (block == ActiveLocked)
            {
                RollLocked();
            }
        }
        AfterWrite();
        FlushAsync().AsTask().GetAwaiter().GetResult();
        lock (Gate)
        {
            if (Blocks.Contains(block))
            {
                CompactBlockLocked(block);
            }
        }
        return true;
    }

    private protected bool RemoveLocked(ulong seq)
    {
        var block = FindBlockLocked(seq);
        if (block is null || block.IsDeleted(seq) || !TryGetRecordLocked(block, seq, out var record, out var bytes)
            || record.Kind != RecordKind.Message)
        {
            return false;
        }
        var subject = record.Subject(bytes);
        var size = AccountedSize(record.SubjectLength, record.HeaderLength, record.PayloadLength);
        block.MarkDeleted(seq);
        block.Msgs--;
        block.Bytes -= size;
        MsgsField--;
        BytesField -= size;
        ref var st = ref Subjects.Find(subject, out var key);
        if (!Unsafe.IsNullRef(ref st))
        {
            st.Msgs--;
            if (st.Msgs == 0)
            {
                Subjects.Remove(key!);
            }
            else
            {
                if (seq == st.First)
                {
                    st.FirstStale = true;
                }
                if (seq == st.Last)
                {
                    st.LastStale = true;
                }
            }
        }
        if (seq == FirstSeqField || MsgsField == 0)
        {
            FirstSeqField = MsgsField == 0 ? LastSeqField + 1 : NextLiveLocked(seq + 1);
            OnFrontRemovedLocked(FirstSeqField);
        }
        else
        {
            OnInteriorRemovedLocked(seq);
        }
        if (block.Msgs == 0 && block != ActiveLocked)
        {
            DropBlockLocked(block);
        }
        return true;
    }

    private protected void DropBlockLocked(Block block)
    {
        Blocks.Remove(block);
        OnBlockDroppedLocked(block);
    }

    /// <summary>The next live sequence at or after <paramref name="seq"/>, or LastSeq+1.</summary>
    private protected ulong NextLiveLocked(ulong seq)
    {
        for (var i = BlockIndexAtOrAfterLocked(seq); i < Blocks.Count; i++)
        {
            var next = Blocks[i].NextLive(seq);
            if (next != 0)
            {
                return next;
            }
        }
        return LastSeqField + 1;
    }

    /// <summary>The first sequence of a subject with live messages (finding it when it is stale).</summary>
    private protected ulong FirstOfSubjectLocked(string subject)
    {
        ref var st = ref Subjects.Find(subject);
        if (Unsafe.IsNullRef(ref st))
        {
            return 0;
        }
        if (st.FirstStale)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(subject);
            var found = ScanLiteralLocked(utf8, st.First, st.Last, forward: true);
            ref var again = ref Subjects.Find(subject);
            again.First = found != 0 ? found : again.Last;
            again.FirstStale = false;
            return again.First;
        }
        return st.First;
    }

    /// <summary>The last sequence of a subject with live messages (finding it when it is stale).</summary>
    private protected ulong LastOfSubjectLocked(string subject)
    {
        ref var st = ref Subjects.Find(subject);
        if (Unsafe.IsNullRef(ref st))
        {
            return 0;
        }
        if (st.LastStale)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(subject);
            var found = ScanLiteralLocked(utf8, st.First, st.Last, forward: false);
            ref var again = ref Subjects.Find(subject);
            again.Last = found != 0 ? found : again.First;
            again.LastStale = false;
            return again.Last;
        }
        return st.Last;
    }

    private protected void EnforceLimitsAfterStoreLocked(string subject)
    {
        var limits = Limits;
        if (limits.MaxMsgsPerSubject > 0)
        {
            while (true)
            {
                ref var st = ref Subjects.Find(subject);
                if (Unsafe.IsNullRef(ref st) || st.Msgs <= (ulong)limits.MaxMsgsPerSubject)
                {
                    break;
                }
                if (!RemoveLocked(FirstOfSubjectLocked(subject)))
                {
                    break;
                }
            }
        }
        EnforceTotalsLocked();
    }

    private void EnforceTotalsLocked()
    {
        var limits = Limits;
        while (limits.MaxMsgs > 0 && MsgsField > (ulong)limits.MaxMsgs && RemoveLocked(FirstSeqField))
        {
        }
        while (limits.MaxBytes > 0 && BytesField > (ulong)limits.MaxBytes && RemoveLocked(FirstSeqField))
        {
        }
    }

    /// <summary>Applies every limit now (after a config change or a recovery).</summary>
    private protected void EnforceLimitsLocked()
    {
        var limits = Limits;
        if (limits.MaxMsgsPerSubject > 0)
        {
            foreach (var subject in Subjects.Map.Where(kv => kv.Value.Msgs > (ulong)limits.MaxMsgsPerSubject).Select(kv => kv.Key).ToList())
            {
                EnforceLimitsAfterStoreLocked(subject);
            }
        }
        EnforceTotalsLocked();
        ExpireLocked(NowLocked());
    }

    /// <summary>Removes every message (nats-server Purge): the next sequence stays where it was.</summary>
    public ulong Purge() => PurgeTo(0);

    /// <summary>Removes every message below <paramref name="seq"/> (nats-server Compact); 0 removes all.</summary>
    public ulong PurgeTo(ulong seq)
    {
        ulong purged;
        lock (Gate)
        {
            purged = PurgeToLocked(seq);
        }
        AfterWrite();
        return purged;
    }

    private protected ulong PurgeToLocked(ulong seq)
    {
        if (Closed)
        {
            return 0;
        }
        if (seq == 0 || seq > LastSeqField)
        {
            var purged = MsgsField;
            var newFirst = seq == 0 ? LastSeqField + 1 : seq;
            var old = Blocks.ToList();
            LastSeqField = newFirst - 1;
            FirstSeqField = newFirst;
            MsgsField = 0;
            BytesField = 0;
            Subjects.Clear();
            TtlQueue.Clear();
            var fresh = CreateBlockLocked(ActiveLocked.Id + 1);
            Blocks.Clear();
            Blocks.Add(fresh);
            OnFrontRemovedLocked(newFirst);
            foreach (var block in old)
            {
                OnBlockDroppedLocked(block);
            }
            return purged;
        }
        ulong count = 0;
        while (MsgsField > 0 && FirstSeqField < seq && RemoveLocked(FirstSeqField))
        {
            count++;
        }
        return count;
    }

    /// <summary>
    /// nats-server PurgeEx: removes the messages matching <paramref name="subject"/> below
    /// <paramref name="seq"/> (when not 0), keeping the newest <paramref name="keep"/> (when not 0).
    /// </summary>
    public ulong PurgeEx(string? subject, ulong seq, ulong keep)
    {
        if (seq == 1)
        {
            return 0;
        }
        if (string.IsNullOrEmpty(subject) || subject == ">")
        {
            if (keep == 0)
            {
                return PurgeTo(seq);
            }
            subject = ">";
        }
        ulong purged = 0;
        lock (Gate)
        {
            var filter = SubjectFilter.Of(subject);
            var fs = FilteredStateLocked(0, filter);
            if (fs.Msgs == 0 || (keep > 0 && keep >= fs.Msgs))
            {
                return 0;
            }
            var max = keep > 0 ? fs.Msgs - keep : ulong.MaxValue;
            var last = seq >= 1 ? Math.Min(fs.Last, seq - 1) : fs.Last;
            var cursor = fs.First;
            while (purged < max && cursor <= last)
            {
                var next = NextMatchLocked(filter, cursor, last);
                if (next == 0)
                {
                    break;
                }
                if (RemoveLocked(next))
                {
                    purged++;
                }
                cursor = next + 1;
            }
        }
        AfterWrite();
        return purged;
    }

    /// <summary>Removes expired messages (max_age, per-message TTL) and compacts sparse blocks.</summary>
    private void Maintain()
    {
        try
        {
            lock (Gate)
            {
                if (Closed)
                {
                    return;
                }
                ExpireLocked(NowLocked());
                CompactSparseBlocksLocked();
            }
            AfterWrite();
            MaintainStorage();
        }
        catch (Exception e)
        {
            StoreLog.MaintenanceFailed(Logger, e);
        }
    }

    /// <summary>The subclass's periodic work outside the lock (evicting caches, lazy syncs, the index).</summary>
    private protected virtual void MaintainStorage()
    {
    }

    private protected void ExpireLocked(long now)
    {
        var maxAge = Limits.MaxAge;
        if (maxAge > TimeSpan.Zero)
        {
            var cutoff = now - maxAge.Ticks * 100;
            while (MsgsField > 0)
            {
                var first = FirstSeqField;
                var block = FindBlockLocked(first);
                if (block is null || !TryGetRecordLocked(block, first, out var r, out _) || r.Timestamp > cutoff)
                {
                    break;
                }
                if (r.Ttl == -1)
                {
                    // "never" outlives max_age: skip past it without removing it.
                    if (!ExpireAfterNeverLocked(cutoff))
                    {
                        break;
                    }
                    break;
                }
                RemoveLocked(first);
            }
        }
        while (TtlQueue.TryPeek(out var seq, out var expires) && expires <= now)
        {
            TtlQueue.Dequeue();
            RemoveLocked(seq);
        }
    }

    /// <summary>max_age past a message that never expires: removes the expired ones behind it.</summary>
    private bool ExpireAfterNeverLocked(long cutoff)
    {
        var removed = false;
        var seq = FirstSeqField;
        while (seq <= LastSeqField)
        {
            var block = FindBlockLocked(seq);
            if (block is null)
            {
                seq = NextLiveLocked(seq + 1);
                continue;
            }
            if (!TryGetRecordLocked(block, seq, out var r, out _))
            {
                seq = NextLiveLocked(seq + 1);
                continue;
            }
            if (r.Timestamp > cutoff)
            {
                break;
            }
            if (r.Ttl != -1)
            {
                removed |= RemoveLocked(seq);
            }
            seq = NextLiveLocked(seq + 1);
        }
        return removed;
    }

    /// <summary>Sealed blocks mostly removed get rewritten without their dead records.</summary>
    private void CompactSparseBlocksLocked()
    {
        for (var i = 0; i < Blocks.Count - 1; i++)
        {
            var block = Blocks[i];
            if (block.RecordBytes > 64 * 1024 && (long)block.Bytes * 2 < block.RecordBytes && block.Durable == block.Length)
            {
                CompactBlockLocked(block);
            }
        }
    }

    /// <summary>Rewrites a sealed block keeping its live messages (and what else must survive).</summary>
    private protected abstract void CompactBlockLocked(Block block);
}
