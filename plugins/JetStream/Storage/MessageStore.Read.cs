using System.Runtime.CompilerServices;
using System.Text;

namespace Nats.JetStream.Storage;

public abstract partial class MessageStore
{
    /// <summary>Loads the message at <paramref name="seq"/>; false when there is none (removed, or not durable yet).</summary>
    public bool TryLoad(ulong seq, StoredMessage into)
    {
        lock (Gate)
        {
            return seq <= VisibleSeq && TryLoadLocked(seq, into);
        }
    }

    private bool TryLoadLocked(ulong seq, StoredMessage into)
    {
        var block = FindBlockLocked(seq);
        if (block is null || block.IsDeleted(seq) || !TryGetRecordLocked(block, seq, out var r, out var bytes) || r.Kind != RecordKind.Message)
        {
            return false;
        }
        into.Set(seq, r.Timestamp, SubjectString(r.Subject(bytes)), r.Ttl, r.Headers(bytes), r.Payload(bytes));
        return true;
    }

    /// <summary>
    /// The first message at or after <paramref name="start"/> matching <paramref name="filter"/>;
    /// returns its sequence (0 when none, up to the last durable message).
    /// </summary>
    public ulong LoadNext(SubjectFilter filter, ulong start, StoredMessage into)
    {
        lock (Gate)
        {
            var seq = NextMatchLocked(filter, Math.Max(start, 1), VisibleSeq);
            return seq != 0 && TryLoadLocked(seq, into) ? seq : 0;
        }
    }

    /// <summary>The last message matching <paramref name="filter"/> at or before <paramref name="max"/> (0: the end).</summary>
    public ulong LoadLast(SubjectFilter filter, StoredMessage into, ulong max = 0)
    {
        lock (Gate)
        {
            var end = max == 0 ? VisibleSeq : Math.Min(max, VisibleSeq);
            var seq = LastMatchLocked(filter, end);
            return seq != 0 && TryLoadLocked(seq, into) ? seq : 0;
        }
    }

    /// <summary>The last message matching <paramref name="filter"/> at or before <paramref name="start"/>, scanning backwards.</summary>
    public ulong LoadPrev(SubjectFilter filter, ulong start, StoredMessage into)
    {
        lock (Gate)
        {
            var seq = PrevMatchLocked(filter, Math.Min(start, VisibleSeq), FirstSeqField);
            return seq != 0 && TryLoadLocked(seq, into) ? seq : 0;
        }
    }

    /// <summary>The subject of a live message, or null.</summary>
    public string? SubjectOf(ulong seq)
    {
        lock (Gate)
        {
            var block = FindBlockLocked(seq);
            if (block is null || block.IsDeleted(seq) || !TryGetRecordLocked(block, seq, out var r, out var bytes) || r.Kind != RecordKind.Message)
            {
                return null;
            }
            return SubjectString(r.Subject(bytes));
        }
    }

    /// <summary>The last sequence whose message the listener was told is durable.</summary>
    public ulong DurableSeq
    {
        get
        {
            lock (Gate)
            {
                return VisibleSeq;
            }
        }
    }

    private protected ulong NextMatchLocked(SubjectFilter filter, ulong start, ulong end)
    {
        if (MsgsField == 0)
        {
            return 0;
        }
        start = Math.Max(start, FirstSeqField);
        end = Math.Min(end, LastSeqField);
        if (start > end)
        {
            return 0;
        }
        if (filter.IsLiteral)
        {
            var subject = filter.Filters[0];
            ref var st = ref Subjects.Find(subject);
            if (Unsafe.IsNullRef(ref st))
            {
                return 0;
            }
            var last = LastOfSubjectLocked(subject);
            if (start > last)
            {
                return 0;
            }
            var first = FirstOfSubjectLocked(subject);
            if (start <= first)
            {
                return first <= end ? first : 0;
            }
            end = Math.Min(end, last);
        }
        if (filter.MatchesAll)
        {
            var next = NextLiveLocked(start);
            return next <= end ? next : 0;
        }
        for (var i = BlockIndexAtOrAfterLocked(start); i < Blocks.Count; i++)
        {
            var block = Blocks[i];
            if (block.First > end)
            {
                break;
            }
            if (block.Msgs == 0)
            {
                continue;
            }
            for (var seq = block.NextLive(start); seq != 0 && seq <= end; seq = block.NextLive(seq + 1))
            {
                if (TryGetRecordLocked(block, seq, out var r, out var bytes) && filter.Matches(r.Subject(bytes)))
                {
                    return seq;
                }
            }
        }
        return 0;
    }

    private protected ulong PrevMatchLocked(SubjectFilter filter, ulong start, ulong floor)
    {
        if (MsgsField == 0 || start < FirstSeqField)
        {
            return 0;
        }
        start = Math.Min(start, LastSeqField);
        for (var i = Math.Min(BlockIndexAtOrAfterLocked(start), Blocks.Count - 1); i >= 0; i--)
        {
            var block = Blocks[i];
            if (block.Msgs == 0 || block.First > start)
            {
                continue;
            }
            if (block.Last < floor)
            {
                break;
            }
            for (var seq = block.PrevLive(start); seq != 0 && seq >= Math.Max(floor, block.First); seq = seq == block.First ? 0 : block.PrevLive(seq - 1))
            {
                if (TryGetRecordLocked(block, seq, out var r, out var bytes) && filter.Matches(r.Subject(bytes)))
                {
                    return seq;
                }
            }
        }
        return 0;
    }

    private ulong LastMatchLocked(SubjectFilter filter, ulong end)
    {
        if (MsgsField == 0)
        {
            return 0;
        }
        if (filter.IsLiteral)
        {
            var last = LastOfSubjectLocked(filter.Filters[0]);
            if (last != 0 && last <= end)
            {
                return last;
            }
            return last == 0 ? 0 : PrevMatchLocked(filter, end, FirstOfSubjectLocked(filter.Filters[0]));
        }
        if (filter.MatchesAll)
        {
            return PrevMatchLocked(filter, end, FirstSeqField);
        }
        ulong best = 0;
        var needScan = false;
        foreach (var subject in MatchingSubjectsLocked(filter))
        {
            var last = LastOfSubjectLocked(subject);
            if (last <= end)
            {
                best = Math.Max(best, last);
            }
            else
            {
                needScan = true;
            }
        }
        return needScan ? PrevMatchLocked(filter, end, Math.Max(best, FirstSeqField)) : best;
    }

    /// <summary>Scans for a literal subject between two sequences, forwards or backwards.</summary>
    private protected ulong ScanLiteralLocked(byte[] subject, ulong from, ulong to, bool forward)
    {
        var filter = new LiteralBytes(subject);
        if (forward)
        {
            for (var i = BlockIndexAtOrAfterLocked(from); i < Blocks.Count; i++)
            {
                var block = Blocks[i];
                if (block.First > to)
                {
                    break;
                }
                for (var seq = block.NextLive(from); seq != 0 && seq <= to; seq = block.NextLive(seq + 1))
                {
                    if (TryGetRecordLocked(block, seq, out var r, out var bytes) && filter.Equals(r.Subject(bytes)))
                    {
                        return seq;
                    }
                }
            }
            return 0;
        }
        for (var i = Math.Min(BlockIndexAtOrAfterLocked(to), Blocks.Count - 1); i >= 0; i--)
        {
            var block = Blocks[i];
            if (block.Msgs == 0 || block.First > to)
            {
                continue;
            }
            if (block.Last < from)
            {
                break;
            }
            for (var seq = block.PrevLive(to); seq != 0 && seq >= from; seq = seq == block.First ? 0 : block.PrevLive(seq - 1))
            {
                if (TryGetRecordLocked(block, seq, out var r, out var bytes) && filter.Equals(r.Subject(bytes)))
                {
                    return seq;
                }
            }
        }
        return 0;
    }

    private readonly struct LiteralBytes(byte[] subject)
    {
        public bool Equals(ReadOnlySpan<byte> other) => other.SequenceEqual(subject);
    }

    private protected IEnumerable<string> MatchingSubjectsLocked(SubjectFilter filter)
    {
        if (filter.IsLiteral)
        {
            if (!Unsafe.IsNullRef(ref Subjects.Find(filter.Filters[0])))
            {
                yield return filter.Filters[0];
            }
            yield break;
        }
        foreach (var subject in Subjects.Map.Keys)
        {
            if (filter.Matches(subject))
            {
                yield return subject;
            }
        }
    }

    /// <summary>Count, first and last of the messages matching <paramref name="filter"/> at or after <paramref name="start"/>.</summary>
    public FilteredState FilteredState(ulong start, SubjectFilter filter)
    {
        lock (Gate)
        {
            return FilteredStateLocked(start, filter);
        }
    }

    private protected FilteredState FilteredStateLocked(ulong start, SubjectFilter filter)
    {
        if (MsgsField == 0)
        {
            return default;
        }
        start = Math.Max(start, FirstSeqField);
        if (start > LastSeqField)
        {
            return default;
        }
        var count = CountLocked(start, filter, lastPerSubject: false);
        if (count == 0)
        {
            return default;
        }
        var first = NextMatchLocked(filter, start, LastSeqField);
        var last = LastMatchLocked(filter, LastSeqField);
        return new FilteredState(count, first, last);
    }

    /// <summary>
    /// How many messages at or after <paramref name="start"/> match (consumer num_pending);
    /// with <paramref name="lastPerSubject"/>, how many matching subjects have their last message there.
    /// </summary>
    public ulong NumPending(ulong start, SubjectFilter filter, bool lastPerSubject)
    {
        lock (Gate)
        {
            return CountLocked(Math.Max(start, 1), filter, lastPerSubject);
        }
    }

    private ulong CountLocked(ulong start, SubjectFilter filter, bool lastPerSubject)
    {
        if (MsgsField == 0 || start > LastSeqField)
        {
            return 0;
        }
        if (lastPerSubject)
        {
            ulong n = 0;
            foreach (var subject in MatchingSubjectsLocked(filter).ToList())
            {
                if (LastOfSubjectLocked(subject) >= start)
                {
                    n++;
                }
            }
            return n;
        }
        if (filter.MatchesAll)
        {
            return start <= FirstSeqField ? MsgsField : MsgsField - LiveBeforeLocked(start);
        }
        ulong total = 0;
        var anyAfter = false;
        foreach (var subject in MatchingSubjectsLocked(filter).ToList())
        {
            ref var st = ref Subjects.Find(subject);
            total += st.Msgs;
            if (start > FirstOfSubjectLocked(subject))
            {
                anyAfter = true;
            }
        }
        if (!anyAfter || total == 0)
        {
            return total;
        }
        // Count the smaller side of start by scanning.
        var before = start - FirstSeqField;
        var after = LastSeqField - start + 1;
        return before <= after ? total - CountRangeLocked(filter, FirstSeqField, start - 1) : CountRangeLocked(filter, start, LastSeqField);
    }

    private ulong CountRangeLocked(SubjectFilter filter, ulong from, ulong to)
    {
        ulong n = 0;
        for (var i = BlockIndexAtOrAfterLocked(from); i < Blocks.Count; i++)
        {
            var block = Blocks[i];
            if (block.First > to)
            {
                break;
            }
            if (block.Msgs == 0)
            {
                continue;
            }
            for (var seq = block.NextLive(from); seq != 0 && seq <= to; seq = block.NextLive(seq + 1))
            {
                if (TryGetRecordLocked(block, seq, out var r, out var bytes) && filter.Matches(r.Subject(bytes)))
                {
                    n++;
                }
            }
        }
        return n;
    }

    /// <summary>Live messages below <paramref name="seq"/>.</summary>
    private ulong LiveBeforeLocked(ulong seq)
    {
        ulong n = 0;
        foreach (var block in Blocks)
        {
            if (block.First >= seq)
            {
                break;
            }
            if (block.Last < seq)
            {
                n += block.Msgs;
                continue;
            }
            for (var s = block.NextLive(block.First); s != 0 && s < seq; s = block.NextLive(s + 1))
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>Message counts per subject matching <paramref name="filter"/> (stream info <c>subjects</c>).</summary>
    public Dictionary<string, ulong> SubjectsTotals(SubjectFilter filter)
    {
        lock (Gate)
        {
            var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
            foreach (var subject in MatchingSubjectsLocked(filter))
            {
                result[subject] = Subjects.Find(subject).Msgs;
            }
            return result;
        }
    }

    /// <summary>Per-subject state for subjects matching <paramref name="filter"/>.</summary>
    public Dictionary<string, FilteredState> SubjectsState(SubjectFilter filter)
    {
        lock (Gate)
        {
            var result = new Dictionary<string, FilteredState>(StringComparer.Ordinal);
            foreach (var subject in MatchingSubjectsLocked(filter).ToList())
            {
                var first = FirstOfSubjectLocked(subject);
                var last = LastOfSubjectLocked(subject);
                result[subject] = new FilteredState(Subjects.Find(subject).Msgs, first, last);
            }
            return result;
        }
    }

    /// <summary>
    /// The last sequence of each subject matching any filter, at or below <paramref name="maxSeq"/>
    /// (0: the end), sorted; null when more than <paramref name="maxAllowed"/> (0: no bound).
    /// </summary>
    public List<ulong>? MultiLastSeqs(IReadOnlyList<string> filters, ulong maxSeq, int maxAllowed)
    {
        var filter = new SubjectFilter(filters);
        lock (Gate)
        {
            var end = maxSeq == 0 ? VisibleSeq : Math.Min(maxSeq, VisibleSeq);
            var result = new List<ulong>();
            foreach (var subject in MatchingSubjectsLocked(filter).ToList())
            {
                var last = LastOfSubjectLocked(subject);
                if (last > end)
                {
                    last = PrevMatchLocked(SubjectFilter.Of(subject), end, FirstOfSubjectLocked(subject));
                }
                if (last != 0)
                {
                    result.Add(last);
                    if (maxAllowed > 0 && result.Count > maxAllowed)
                    {
                        return null;
                    }
                }
            }
            result.Sort();
            return result;
        }
    }

    /// <summary>The first live sequence stored at or after <paramref name="unixNanos"/>; LastSeq+1 when none.</summary>
    public ulong SeqFromTime(long unixNanos)
    {
        lock (Gate)
        {
            if (MsgsField == 0)
            {
                return LastSeqField + 1;
            }
            foreach (var block in Blocks)
            {
                if (block.Msgs == 0 || block.LastTs < unixNanos)
                {
                    continue;
                }
                for (var seq = block.NextLive(block.First); seq != 0; seq = block.NextLive(seq + 1))
                {
                    if (TryGetRecordLocked(block, seq, out var r, out _) && r.Timestamp >= unixNanos)
                    {
                        return seq;
                    }
                }
            }
            return LastSeqField + 1;
        }
    }

    /// <summary>The subjects with live messages (their count).</summary>
    public int SubjectCount
    {
        get
        {
            lock (Gate)
            {
                return Subjects.Count;
            }
        }
    }

    private static string Utf8String(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
