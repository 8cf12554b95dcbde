using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// What a mirror (<see cref="MirrorLink"/>) and a source (<see cref="SourceLink"/>) share: following
/// an origin stream of the same account on this server, being woken by its
/// <see cref="JsStream.MessagesAvailable"/>, and copying on the thread pool one pass at a time
/// (at most <see cref="PassLimit"/> messages before yielding the thread back). The subclass says
/// how a pass copies and how far behind it is.
/// Thread safety: <c>Gate</c> owns the origin and whatever the subclass keeps of its position;
/// <see cref="Kick"/> from any thread.
/// </summary>
internal abstract class OriginLink : IThreadPoolWorkItem, IDisposable
{
    /// <summary>Messages copied per pass before yielding the thread back to the pool.</summary>
    protected const int PassLimit = 10_000;

    protected readonly Lock Gate = new();                // owns Origin, LastActiveTicks and the subclass's position
    protected readonly StreamSource Source;              // immutable
    protected readonly SubjectFilter Filter;             // immutable
    protected readonly StoredMessage Msg = new();        // scratch of the pass in progress, under Gate
    private readonly Action<ulong> _onAvailable;
    private JsStream? _origin;                           // under Gate
    private int _kicked;                                 // Interlocked: one pass queued at a time
    private bool _closed;                                // under Gate
    protected long LastActiveTicks;                      // under Gate: when a message was last copied

    protected OriginLink(StreamSource source)
    {
        Source = source;
        Filter = SubjectFilter.Of(string.IsNullOrEmpty(source.FilterSubject) ? null : source.FilterSubject);
        _onAvailable = _ => Kick();
    }

    public string OriginName => Source.Name;

    /// <summary>Follows <paramref name="origin"/> (null: it is gone; what was copied stays).</summary>
    public void Attach(JsStream? origin)
    {
        lock (Gate)
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
        lock (Gate)
        {
            var lag = _origin is { } origin ? LagLocked(origin.Store) : 0UL;
            var active = _origin is null || LastActiveTicks == 0 ? -1 : (DateTime.UtcNow.Ticks - LastActiveTicks) * 100;
            return new StreamSourceInfo { Name = Source.Name, Lag = lag, Active = active, FilterSubject = Source.FilterSubject };
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
        lock (Gate)
        {
            more = !_closed && _origin is not null && CopyLocked(_origin.Store);
        }
        if (more)
        {
            Kick();
        }
    }

    /// <summary>Copies what the origin has beyond this link's position; true when it stopped at <see cref="PassLimit"/>.</summary>
    protected abstract bool CopyLocked(MessageStore origin);

    /// <summary>How many of the origin's sequences this link has not copied yet.</summary>
    protected abstract ulong LagLocked(MessageStore origin);

    public void Dispose()
    {
        lock (Gate)
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
