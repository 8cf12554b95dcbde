using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// A mirror of a stream of the same account on this server: every message the origin makes
/// durable is stored in the mirror under the origin's own sequence and time (gaps, filtered-out
/// and removed messages become skipped sequences), as nats-server's mirror consumer does. It
/// starts at <c>opt_start_seq</c> / <c>opt_start_time</c> or the origin's first message, resumes
/// after the mirror's own last sequence (so a restart neither loses nor repeats), and follows
/// the origin being created, deleted or recreated. Following the origin and the passes on the thread
/// pool are <see cref="OriginLink"/>'s.
/// </summary>
internal sealed class MirrorLink : OriginLink
{
    private readonly JsStream _mirror; // immutable

    public MirrorLink(JsStream mirror, StreamSource source)
        : base(source) => _mirror = mirror;

    protected override ulong LagLocked(MessageStore origin)
    {
        var last = origin.State().LastSeq;
        var ours = _mirror.Store.State().LastSeq;
        return last > ours ? last - ours : 0;
    }

    protected override bool CopyLocked(MessageStore origin)
    {
        var mirror = _mirror.Store;
        var next = mirror.State().LastSeq + 1;
        if (next == 1)
        {
            next = StartLocked(origin);
        }
        var originState = origin.State();
        if (originState.Msgs > 0 && originState.FirstSeq > next)
        {
            // Removed from the origin before we got them: those sequences are skipped.
            SkipTo(mirror, originState.FirstSeq);
            next = originState.FirstSeq;
        }
        for (var copied = 0; copied < PassLimit; copied++)
        {
            var seq = origin.LoadNext(Filter, next, Msg);
            if (seq == 0)
            {
                return false;
            }
            SkipTo(mirror, seq);
            if (mirror.AppendRaw(seq, Msg.Timestamp, System.Text.Encoding.UTF8.GetBytes(Msg.Subject), Msg.Headers.Span, Msg.Payload.Span, Msg.Ttl) != StoreError.None)
            {
                // The mirror refused (closed, write failure): try again on the next wake-up.
                return false;
            }
            LastActiveTicks = DateTime.UtcNow.Ticks;
            next = seq + 1;
        }
        return true;
    }

    /// <summary>Where an empty mirror starts in the origin: opt_start_seq, opt_start_time, or its first message.</summary>
    private ulong StartLocked(MessageStore origin)
    {
        var start = Source.OptStartSeq > 0 ? Source.OptStartSeq
            : Source.OptStartTime is { } time ? origin.SeqFromTime((time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * 100)
            : 0;
        if (start > 1)
        {
            SkipTo(_mirror.Store, start);
            return start;
        }
        return 1;
    }

    /// <summary>Uses the mirror's sequences below <paramref name="seq"/> without messages.</summary>
    private static void SkipTo(MessageStore mirror, ulong seq)
    {
        var state = mirror.State();
        if (state.LastSeq + 1 >= seq)
        {
            return;
        }
        if (state.Msgs == 0)
        {
            // Nothing kept below: one floor record moves the sequence (as a purge to seq does).
            mirror.PurgeTo(seq);
            return;
        }
        while (mirror.State().LastSeq + 1 < seq && mirror.SkipMsg() != 0)
        {
        }
    }
}
