using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// A mirror of a stream of the same account on this server: every message the origin makes
/// durable is stored in the mirror under the origin's own sequence and time (gaps, filtered-out
/// and removed messages become skipped sequences), as nats-server's mirror consumer does. It
/// starts at <c>opt_start_seq</c> / <c>opt_start_time</c> or the origin's first message, resumes
/// after the mirror's own last sequence (so a restart neither loses nor repeats), and follows
/// the origin being created, deleted or recreated. Copies run on the thread pool, one pass at
/// a time, woken by the origin's <see cref="JsStream.MessagesAvailable"/>.
/// Thread safety: <c>_gate</c> owns the origin and the copy; <see cref="Kick"/> from any thread.
/// </summary>
internal sealed class MirrorLink : IThreadPoolWorkItem, IDisposable
{
    /// <summary>Messages copied per pass before yielding the thread back to the pool.</summary>
    private const int PassLimit = 10_000;

    private readonly Lock _gate = new();
    private readonly JsStream _mirror;
    private readonly StreamSource _source;
    private readonly SubjectFilter _filter;
    private readonly StoredMessage _msg = new();
    private readonly Action<ulong> _onAvailable;
    private JsStream? _origin;
    private int _kicked;
    private bool _closed;
    private long _lastActiveTicks;

    public MirrorLink(JsStream mirror, StreamSource source)
    {
        _mirror = mirror;
        _source = source;
        _filter = SubjectFilter.Of(string.IsNullOrEmpty(source.FilterSubject) ? null : source.FilterSubject);
        _onAvailable = _ => Kick();
    }

    public string OriginName => _source.Name;

    /// <summary>Follows <paramref name="origin"/> (null: it is gone; the mirror keeps what it has).</summary>
    public void Attach(JsStream? origin)
    {
        lock (_gate)
        {
            if (_closed || ReferenceEquals(origin, _origin))
            {
                return;
            }
            if (_origin is { } old)
            {
                old.MessagesAvailable -= _onAvailable;
            }
            _origin = origin;
            if (origin is not null)
            {
                origin.MessagesAvailable += _onAvailable;
            }
        }
        Kick();
    }

    /// <summary>nats-server's <c>StreamSourceInfo</c> for stream info: lag behind the origin and time since the last contact.</summary>
    public StreamSourceInfo Info()
    {
        lock (_gate)
        {
            var lag = 0UL;
            if (_origin is { } origin)
            {
                var last = origin.Store.State().LastSeq;
                var ours = _mirror.Store.State().LastSeq;
                lag = last > ours ? last - ours : 0;
            }
            var active = _lastActiveTicks == 0 ? -1 : (DateTime.UtcNow.Ticks - _lastActiveTicks) * 100;
            return new StreamSourceInfo { Name = _source.Name, Lag = lag, Active = _origin is null ? -1 : active, FilterSubject = _source.FilterSubject };
        }
    }

    public void Kick()
    {
        if (Interlocked.Exchange(ref _kicked, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _kicked, 0);
        bool more;
        lock (_gate)
        {
            more = !_closed && _origin is not null && CopyLocked(_origin.Store);
        }
        if (more)
        {
            Kick();
        }
    }

    /// <summary>Copies what the origin has beyond the mirror; true when it stopped at the pass limit.</summary>
    private bool CopyLocked(MessageStore origin)
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
            var seq = origin.LoadNext(_filter, next, _msg);
            if (seq == 0)
            {
                return false;
            }
            SkipTo(mirror, seq);
            if (mirror.AppendRaw(seq, _msg.Timestamp, System.Text.Encoding.UTF8.GetBytes(_msg.Subject), _msg.Headers.Span, _msg.Payload.Span, _msg.Ttl) != StoreError.None)
            {
                // The mirror refused (closed, write failure): try again on the next wake-up.
                return false;
            }
            _lastActiveTicks = DateTime.UtcNow.Ticks;
            next = seq + 1;
        }
        return true;
    }

    /// <summary>Where an empty mirror starts in the origin: opt_start_seq, opt_start_time, or its first message.</summary>
    private ulong StartLocked(MessageStore origin)
    {
        var start = _source.OptStartSeq > 0 ? _source.OptStartSeq
            : _source.OptStartTime is { } time ? origin.SeqFromTime((time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * 100)
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

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            if (_origin is { } old)
            {
                old.MessagesAvailable -= _onAvailable;
            }
            _origin = null;
        }
    }
}
