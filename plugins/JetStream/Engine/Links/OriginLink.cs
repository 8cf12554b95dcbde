using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// What a mirror (<see cref="MirrorLink"/>) and a source (<see cref="SourceLink"/>) share:
/// following an origin (<see cref="IOrigin"/>: a stream of the same account, or one of another
/// account reached through its exported API), being woken when it has more, and copying on the
/// thread pool one pass at a time (at most <see cref="PassLimit"/> messages before yielding the
/// thread back). The subclass says how a pass copies and where it resumes.
/// Thread safety: <c>Gate</c> owns the origin and whatever the subclass keeps of its position;
/// <see cref="Kick"/> from any thread.
/// </summary>
internal abstract class OriginLink : IThreadPoolWorkItem, IDisposable
{
    /// <summary>Messages copied per pass before yielding the thread back to the pool.</summary>
    protected const int PassLimit = 10_000;

    protected readonly Lock Gate = new();                // owns _origin, LastActiveTicks and the subclass's position
    protected readonly StreamSource Source;              // immutable
    protected readonly OriginTransforms Transforms;      // immutable: the filter and subject transforms
    protected readonly StoredMessage Msg = new();        // scratch of the pass in progress, under Gate
    private IOrigin? _origin;                            // under Gate
    private int _kicked;                                 // Interlocked: one pass queued at a time
    private bool _closed;                                // under Gate
    protected long LastActiveTicks;                      // under Gate: when a message was last copied

    protected OriginLink(StreamSource source)
    {
        Source = source;
        Transforms = new OriginTransforms(source);
    }

    public string OriginName => Source.Name;

    /// <summary>True when the origin is another account's stream, reached through <c>external.api</c>.</summary>
    public bool IsExternal => Source.External is not null;

    protected SubjectFilter Filter => Transforms.Filter;

    /// <summary>Follows the local stream <paramref name="origin"/> (null: it is gone; what was copied stays).</summary>
    public void Attach(JsStream? origin)
    {
        lock (Gate)
        {
            if (_closed || IsExternal || (_origin as LocalOrigin)?.Stream == origin)
            {
                return;
            }
            _origin?.Dispose();
            _origin = origin is null ? null : new LocalOrigin(origin);
            _origin?.Start(Kick);
        }
        Kick();
    }

    /// <summary>Follows another account's stream over subjects (<c>external</c>): through <paramref name="output"/>, which reaches it through the account's imports.</summary>
    public void AttachExternal(IJetStreamOutput output)
    {
        lock (Gate)
        {
            if (_closed || !IsExternal || _origin is not null)
            {
                return;
            }
            _origin = new RemoteOrigin(output, Source, Transforms.Filter, ResumeAt);
            _origin.Start(Kick);
        }
    }

    /// <summary>
    /// Where the origin should start sending (a remote origin asks each time it sets up its
    /// consumer): the sequence after the last one copied, or 0 for the configured start.
    /// </summary>
    private ulong ResumeAt()
    {
        lock (Gate)
        {
            return _origin is null ? 0 : ResumeAtLocked(_origin);
        }
    }

    /// <summary>The origin's next sequence this link wants, 0 when it has copied nothing yet.</summary>
    protected abstract ulong ResumeAtLocked(IOrigin origin);

    /// <summary>nats-server's <c>StreamSourceInfo</c> for stream info: lag behind the origin and time since the last contact.</summary>
    public StreamSourceInfo Info()
    {
        lock (Gate)
        {
            var lag = _origin is { } origin ? LagLocked(origin) : 0UL;
            var active = _origin is null || LastActiveTicks == 0 ? -1 : (DateTime.UtcNow.Ticks - LastActiveTicks) * 100;
            var info = new StreamSourceInfo { Name = Source.Name, Lag = lag, Active = active, FilterSubject = Source.FilterSubject, External = Source.External, SubjectTransforms = Source.SubjectTransforms };
            if (_origin is RemoteOrigin remote)
            {
                info.Error = remote.LastError;
                if (remote.LastContactTicks > LastActiveTicks)
                {
                    info.Active = (DateTime.UtcNow.Ticks - remote.LastContactTicks) * 100;
                }
            }
            return info;
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
            more = !_closed && _origin is not null && CopyLocked(_origin);
        }
        if (more)
        {
            Kick();
        }
    }

    /// <summary>Copies what the origin has beyond this link's position; true when it stopped at <see cref="PassLimit"/>.</summary>
    protected abstract bool CopyLocked(IOrigin origin);

    /// <summary>How many of the origin's sequences this link has not copied yet.</summary>
    protected abstract ulong LagLocked(IOrigin origin);

    public void Dispose()
    {
        lock (Gate)
        {
            _closed = true;
            _origin?.Dispose();
            _origin = null;
        }
    }
}
