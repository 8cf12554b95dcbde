using System.Text;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// One of a stream's <c>sources</c>, a stream of the same account on this server: every message
/// the origin makes durable (matching <c>filter_subject</c>, from <c>opt_start_seq</c> /
/// <c>opt_start_time</c>) is published into the sourcing stream with its own headers plus
/// <c>Nats-Stream-Source: &lt;origin&gt; &lt;seq&gt;</c> (nats-server 2.9's form), taking the stream's
/// next sequence and its checks (limits, <c>Nats-Msg-Id</c>). Where to resume is read back from
/// that header in the stream's own messages, newest first, as nats-server does, so a restart or a
/// config update neither loses nor repeats what is durable. Copies run on the thread pool, one
/// pass at a time. Thread safety: <c>_gate</c> owns the origin and the position.
/// </summary>
internal sealed class SourceLink : IThreadPoolWorkItem, IDisposable
{
    public const string Header = "Nats-Stream-Source";
    private const int PassLimit = 10_000;

    private readonly Lock _gate = new();
    private readonly JsStream _stream;
    private readonly StreamSource _source;
    private readonly SubjectFilter _filter;
    private readonly StoredMessage _msg = new();
    private readonly Action<ulong> _onAvailable;
    private JsStream? _origin;
    private ulong _next;
    private int _kicked;
    private bool _closed;
    private long _lastActiveTicks;

    public SourceLink(JsStream stream, StreamSource source)
    {
        _stream = stream;
        _source = source;
        _filter = SubjectFilter.Of(string.IsNullOrEmpty(source.FilterSubject) ? null : source.FilterSubject);
        _onAvailable = _ => Kick();
    }

    public string OriginName => _source.Name;

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

    public StreamSourceInfo Info()
    {
        lock (_gate)
        {
            var lag = 0UL;
            if (_origin is { } origin && _next > 0)
            {
                var last = origin.Store.State().LastSeq;
                lag = last >= _next ? last - _next + 1 : 0;
            }
            var active = _origin is null || _lastActiveTicks == 0 ? -1 : (DateTime.UtcNow.Ticks - _lastActiveTicks) * 100;
            return new StreamSourceInfo { Name = _source.Name, Lag = lag, Active = active, FilterSubject = _source.FilterSubject };
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

    private bool CopyLocked(MessageStore origin)
    {
        if (_next == 0)
        {
            _next = ResumeLocked(origin);
        }
        for (var copied = 0; copied < PassLimit; copied++)
        {
            var seq = origin.LoadNext(_filter, _next, _msg);
            if (seq == 0)
            {
                return false;
            }
            _stream.ProcessMessage(_msg.Subject, null, WithSourceHeader(_msg.Headers.Span, seq), _msg.Payload.Span);
            _lastActiveTicks = DateTime.UtcNow.Ticks;
            _next = seq + 1;
        }
        return true;
    }

    /// <summary>After the newest message of the stream that came from this source, else the configured start.</summary>
    private ulong ResumeLocked(MessageStore origin)
    {
        var store = _stream.Store;
        var prefix = _source.Name + " ";
        var all = SubjectFilter.Of(null);
        var msg = new StoredMessage();
        for (var seq = store.State().LastSeq; seq > 0;)
        {
            var found = store.LoadPrev(all, seq, msg);
            if (found == 0)
            {
                break;
            }
            if (msg.Headers.Length > 0 && NatsHeaders.Get(msg.Headers.Span, Header) is { } value && value.StartsWith(prefix, StringComparison.Ordinal)
                && ulong.TryParse(value.AsSpan(prefix.Length).Trim().ToString().Split(' ')[0], out var originSeq))
            {
                return originSeq + 1;
            }
            seq = found - 1;
        }
        if (_source.OptStartSeq > 0)
        {
            return _source.OptStartSeq;
        }
        if (_source.OptStartTime is { } time)
        {
            return Math.Max(1, origin.SeqFromTime((time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * 100));
        }
        return 1;
    }

    private byte[] WithSourceHeader(ReadOnlySpan<byte> headers, ulong seq)
    {
        var text = new StringBuilder(64);
        text.Append(headers.Length > 4 ? Encoding.UTF8.GetString(headers[..^2]) : "NATS/1.0\r\n");
        text.Append(Header).Append(": ").Append(_source.Name).Append(' ').Append(seq).Append("\r\n\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
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
