using System.Text;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// One of a stream's <c>sources</c>: every message the origin makes durable (matching
/// <c>filter_subject</c> or the <c>subject_transforms</c>' sources, from <c>opt_start_seq</c> /
/// <c>opt_start_time</c>) is published into the sourcing stream under its transformed subject
/// with its own headers plus <c>Nats-Stream-Source: &lt;origin&gt; &lt;seq&gt;</c> (nats-server
/// 2.9's form), taking the stream's next sequence and its checks (limits, <c>Nats-Msg-Id</c>).
/// Where to resume is read back from that header in the stream's own messages, newest first, as
/// nats-server does, so a restart or a config update neither loses nor repeats what is durable.
/// Copies run on the thread pool, one pass at a time (<see cref="OriginLink"/>).
/// </summary>
internal sealed class SourceLink : OriginLink
{
    public const string Header = "Nats-Stream-Source";

    private readonly JsStream _stream; // immutable
    private ulong _next;               // under Gate: the origin's next sequence to copy (0: not resumed yet)

    public SourceLink(JsStream stream, StreamSource source)
        : base(source) => _stream = stream;

    protected override ulong ResumeAtLocked(IOrigin origin)
    {
        if (_next == 0)
        {
            _next = ResumeFromHeaders();
        }
        return _next;
    }

    protected override ulong LagLocked(IOrigin origin)
    {
        if (_next == 0)
        {
            return 0;
        }
        var last = origin.LastSeq;
        return last >= _next ? last - _next + 1 : 0;
    }

    protected override bool CopyLocked(IOrigin origin)
    {
        if (_next == 0)
        {
            _next = ResumeFromHeaders();
            if (_next == 0)
            {
                _next = origin.StartOf(Source);
            }
        }
        for (var copied = 0; copied < PassLimit; copied++)
        {
            var seq = origin.LoadNext(Filter, _next, Msg);
            if (seq == 0)
            {
                return false;
            }
            _stream.ProcessMessage(Transforms.Map(Msg.Subject), null, WithSourceHeader(Msg.Headers.Span, seq), Msg.Payload.Span);
            LastActiveTicks = DateTime.UtcNow.Ticks;
            _next = seq + 1;
        }
        return true;
    }

    /// <summary>After the newest message of the stream that came from this source; 0 when none did.</summary>
    private ulong ResumeFromHeaders()
    {
        var store = _stream.Store;
        var prefix = Source.Name + " ";
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
        return 0;
    }

    private byte[] WithSourceHeader(ReadOnlySpan<byte> headers, ulong seq)
    {
        var text = new StringBuilder(64);
        text.Append(headers.Length > 4 ? Encoding.UTF8.GetString(headers[..^2]) : "NATS/1.0\r\n");
        text.Append(Header).Append(": ").Append(Source.Name).Append(' ').Append(seq).Append("\r\n\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
