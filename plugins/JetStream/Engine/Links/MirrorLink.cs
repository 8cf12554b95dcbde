using System.Text;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// A mirror: every message the origin makes durable is stored in the mirror under the origin's
/// own sequence and time (gaps, filtered-out and removed messages become skipped sequences), as
/// nats-server's mirror consumer does, under the subject its <c>subject_transforms</c> give. It
/// starts at <c>opt_start_seq</c> / <c>opt_start_time</c> or the origin's first message, resumes
/// after the mirror's own last sequence (so a restart neither loses nor repeats), and follows
/// the origin being created, deleted or recreated. Following the origin and the passes on the
/// thread pool are <see cref="OriginLink"/>'s.
/// </summary>
internal sealed class MirrorLink : OriginLink
{
    private readonly JsStream _mirror; // immutable

    public MirrorLink(JsStream mirror, StreamSource source)
        : base(source) => _mirror = mirror;

    protected override ulong ResumeAtLocked(IOrigin origin)
    {
        var last = _mirror.Store.State().LastSeq;
        return last == 0 ? 0 : last + 1;
    }

    protected override ulong LagLocked(IOrigin origin)
    {
        var last = origin.LastSeq;
        var ours = _mirror.Store.State().LastSeq;
        return last > ours ? last - ours : 0;
    }

    protected override bool CopyLocked(IOrigin origin)
    {
        var mirror = _mirror.Store;
        var next = mirror.State().LastSeq + 1;
        if (next == 1)
        {
            next = origin.StartOf(Source);
            SkipTo(mirror, next);
        }
        if (origin.FirstSeq > next)
        {
            // Removed from the origin before we got them: those sequences are skipped.
            SkipTo(mirror, origin.FirstSeq);
            next = origin.FirstSeq;
        }
        for (var copied = 0; copied < PassLimit; copied++)
        {
            var seq = origin.LoadNext(Filter, next, Msg);
            if (seq == 0)
            {
                return false;
            }
            SkipTo(mirror, seq);
            var subject = Transforms.Map(Msg.Subject);
            if (mirror.AppendRaw(seq, Msg.Timestamp, Encoding.UTF8.GetBytes(subject), Msg.Headers.Span, Msg.Payload.Span, Msg.Ttl) != StoreError.None)
            {
                // The mirror refused (closed, write failure): try again on the next wake-up.
                return false;
            }
            LastActiveTicks = DateTime.UtcNow.Ticks;
            next = seq + 1;
        }
        return true;
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
