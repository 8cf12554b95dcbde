namespace Nats.JetStream.Storage;

public abstract partial class MessageStore
{
    /// <summary>
    /// The stream state as readers see it: without messages appended but not yet durable (their
    /// publishers not yet acknowledged, a get or a consumer cannot see them). Stream info and
    /// <c>/jsz</c> report this, so every message they count can be read, as with nats-server,
    /// where a message is readable the moment it is counted. <see cref="State"/> (the engine's
    /// view, for expectations and limits) includes them.
    /// </summary>
    /// <remarks>
    /// Costs a walk over the messages in flight (at most one group commit's worth, in the cached
    /// active block). Removals made by an append in flight (limits) are already counted, since
    /// nothing can read the removed message any more. A subject whose only messages are in
    /// flight is not counted, unless its first sequence is stale (after removals), where it may be.
    /// </remarks>
    public StoreState VisibleState()
    {
        lock (Gate)
        {
            var state = StateLocked();
            if (VisibleSeq >= LastSeqField)
            {
                return state;
            }
            ulong msgs = 0, bytes = 0;
            HashSet<string>? newSubjects = null;
            for (var seq = Math.Max(VisibleSeq + 1, FirstSeqField); seq <= LastSeqField; seq++)
            {
                var block = FindBlockLocked(seq);
                if (block is null || block.IsDeleted(seq) || !TryGetRecordLocked(block, seq, out var record, out var recordBytes))
                {
                    continue;
                }
                msgs++;
                bytes += AccountedSize(record.SubjectLength, record.HeaderLength, record.PayloadLength);
                ref var subject = ref Subjects.Find(record.Subject(recordBytes), out var name);
                if (name is not null && !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref subject) && !subject.FirstStale && subject.First > VisibleSeq)
                {
                    (newSubjects ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
                }
            }
            state.Msgs -= Math.Min(msgs, state.Msgs);
            state.Bytes -= Math.Min(bytes, state.Bytes);
            state.NumSubjects -= Math.Min(newSubjects?.Count ?? 0, state.NumSubjects);
            state.LastSeq = VisibleSeq;
            state.LastTime = VisibleSeq == 0 ? 0 : TimestampOfLocked(VisibleSeq);
            if (state.Msgs == 0 || state.FirstSeq > VisibleSeq)
            {
                state.Msgs = 0;
                state.Bytes = 0;
                state.FirstSeq = VisibleSeq + 1;
                state.FirstTime = 0;
                state.NumDeleted = 0;
            }
            else
            {
                state.NumDeleted = VisibleSeq - state.FirstSeq + 1 - state.Msgs;
            }
            return state;
        }
    }
}
