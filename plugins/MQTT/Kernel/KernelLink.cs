using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Nats.Mqtt.Kernel;

/// <summary>
/// The MQTT session's end of its kernel client: writes the client protocol (CONNECT, SUB,
/// UNSUB, PING) into the <see cref="KernelChannel"/> and parses what the kernel sends back
/// (INFO, MSG, HMSG, PING, PONG, -ERR) as the kernel writes it.
/// </summary>
/// <remarks>
/// Each operation is appended whole (the channel's lock keeps concurrent writers' operations
/// apart). <see cref="Gate"/> orders the session's own sequences (SUBs, then the PING whose
/// PONG says they were processed); PINGs from the kernel are answered at once from the kernel's
/// writer, which never takes the gate. Parsing allocates nothing per operation: a line split
/// across the kernel's writes waits in a small carry buffer for the rest.
/// </remarks>
internal sealed class KernelLink
{
    private const int MaxControlLine = 4096 + 64;

    private readonly IKernelEvents _events;
    private KernelChannel _channel = null!;
    // What the kernel wrote that does not end an operation yet (the kernel's writer only).
    private byte[]? _carry;
    private int _carried;
    private bool _failed;

    public KernelLink(IKernelEvents events) => _events = events;

    /// <summary>The transport (created with the link, which parses what the kernel writes to it).</summary>
    public KernelChannel Channel => _channel;

    /// <summary>Creates the link and its channel; <paramref name="onKernelClosed"/> runs once the kernel let go of it.</summary>
    public static KernelLink Create(IKernelEvents events, Action onKernelClosed)
    {
        var link = new KernelLink(events);
        link._channel = new KernelChannel(link, onKernelClosed);
        return link;
    }

    /// <summary>Held by whoever writes a sequence that must stay in order with its flush.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Writes raw protocol text (CONNECT's JSON, say).</summary>
    public void WriteText(string text) => _channel.Append(Encoding.UTF8.GetBytes(text));

    public void WritePing() => _channel.Append("PING\r\n"u8);

    public void WritePong() => _channel.Append("PONG\r\n"u8);

    /// <summary>SUB subject [queue] sid.</summary>
    public void WriteSub(string subject, string? queue, long sid)
    {
        var size = 4 + Encoding.UTF8.GetByteCount(subject) + (queue is null ? 0 : 1 + Encoding.UTF8.GetByteCount(queue)) + 1 + 20 + 2;
        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var span = rented.AsSpan();
            var at = Put(span, 0, "SUB "u8);
            at += Encoding.UTF8.GetBytes(subject, span[at..]);
            if (queue is not null)
            {
                span[at++] = (byte)' ';
                at += Encoding.UTF8.GetBytes(queue, span[at..]);
            }
            span[at++] = (byte)' ';
            at += Number(span[at..], sid);
            at = Put(span, at, "\r\n"u8);
            _channel.Append(span[..at]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>UNSUB sid.</summary>
    public void WriteUnsub(long sid)
    {
        Span<byte> span = stackalloc byte[6 + 20 + 2];
        var at = Put(span, 0, "UNSUB "u8);
        at += Number(span[at..], sid);
        at = Put(span, at, "\r\n"u8);
        _channel.Append(span[..at]);
    }

    /// <summary>Appended operations are readable by the kernel as soon as they are written: nothing to wait for.</summary>
    public ValueTask FlushAsync() => ValueTask.CompletedTask;

    /// <summary>Ends the session's side: the kernel sees end of stream and closes its client.</summary>
    public void Complete() => _channel.Complete();

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        return at + bytes.Length;
    }

    private static int Number(Span<byte> span, long value)
    {
        Utf8Formatter.TryFormat(value, span, out var written);
        return written;
    }

    /// <summary>
    /// What the kernel wrote (on its writer): every complete operation goes to the events, a PING
    /// is answered, the rest waits for the next write. A protocol error ends the session's side.
    /// </summary>
    public ValueTask OnKernelDataAsync(ReadOnlyMemory<byte> data)
    {
        if (_failed)
        {
            return ValueTask.CompletedTask;
        }
        ReadOnlySequence<byte> buffer;
        if (_carried == 0)
        {
            buffer = new ReadOnlySequence<byte>(data);
        }
        else
        {
            if (_carried + data.Length > _carry!.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(_carried + data.Length);
                _carry.AsSpan(0, _carried).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_carry);
                _carry = larger;
            }
            data.Span.CopyTo(_carry.AsSpan(_carried));
            _carried += data.Length;
            buffer = new ReadOnlySequence<byte>(_carry, 0, _carried);
        }
        var pings = 0;
        var consumed = Parse(ref buffer, _events, ref pings, out var error);
        var rest = buffer.Slice(consumed);
        if (error)
        {
            _failed = true;
            ReleaseCarry();
            _channel.Complete();
            return ValueTask.CompletedTask;
        }
        if (rest.Length == 0)
        {
            ReleaseCarry();
        }
        else if (_carried == 0 || rest.Length != _carried)
        {
            // Kept for the next write (moved to the front of the carry buffer).
            var remaining = (int)rest.Length;
            var target = _carry is { } carry && carry.Length >= remaining ? carry : ArrayPool<byte>.Shared.Rent(Math.Max(remaining, 256));
            rest.CopyTo(target);
            if (_carry is not null && !ReferenceEquals(_carry, target))
            {
                ArrayPool<byte>.Shared.Return(_carry);
            }
            _carry = target;
            _carried = remaining;
        }
        for (var i = 0; i < pings; i++)
        {
            WritePong();
        }
        return _events.OnBatchEndAsync();
    }

    private void ReleaseCarry()
    {
        if (_carry is not null)
        {
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = null;
        }
        _carried = 0;
    }

    /// <summary>Parses every complete operation; returns where parsing stopped.</summary>
    private static SequencePosition Parse(ref ReadOnlySequence<byte> buffer, IKernelEvents events, ref int pings, out bool error)
    {
        error = false;
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            var start = reader.Position;
            if (!reader.TryReadTo(out ReadOnlySequence<byte> lineSequence, (byte)'\n', advancePastDelimiter: true))
            {
                if (reader.Remaining > MaxControlLine)
                {
                    error = true;
                }
                return start;
            }
            ReadOnlySpan<byte> line;
            if (lineSequence.IsSingleSegment)
            {
                line = lineSequence.FirstSpan;
            }
            else
            {
                if (lineSequence.Length > MaxControlLine)
                {
                    error = true;
                    return start;
                }
                var copy = new byte[lineSequence.Length];
                lineSequence.CopyTo(copy);
                line = copy;
            }
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }
            if (line.StartsWith("MSG "u8) || line.StartsWith("HMSG "u8))
            {
                if (!TryParseMessageLine(line, out var subject, out var sid, out var reply, out var headerSize, out var totalSize))
                {
                    error = true;
                    return start;
                }
                if (reader.Remaining < totalSize + 2)
                {
                    return start;
                }
                var body = reader.UnreadSequence.Slice(0, totalSize);
                byte[]? rented = null;
                ReadOnlySpan<byte> bodySpan;
                if (body.IsSingleSegment)
                {
                    bodySpan = body.FirstSpan;
                }
                else
                {
                    rented = ArrayPool<byte>.Shared.Rent(totalSize);
                    body.CopyTo(rented);
                    bodySpan = rented.AsSpan(0, totalSize);
                }
                try
                {
                    events.OnMessage(subject, sid, reply, bodySpan[..headerSize], bodySpan[headerSize..]);
                }
                finally
                {
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                }
                reader.Advance(totalSize + 2);
            }
            else if (line.SequenceEqual("PING"u8))
            {
                pings++;
            }
            else if (line.SequenceEqual("PONG"u8))
            {
                events.OnPong();
            }
            else if (line.StartsWith("-ERR"u8))
            {
                events.OnError(Encoding.UTF8.GetString(line[4..]).Trim().Trim('\''));
            }
            // INFO and +OK carry nothing the session needs.
        }
    }

    /// <summary>MSG subject sid [reply] size, or HMSG subject sid [reply] hdr total.</summary>
    private static bool TryParseMessageLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> subject, out long sid, out ReadOnlySpan<byte> reply, out int headerSize, out int totalSize)
    {
        var headers = line[0] == (byte)'H';
        line = line[(headers ? 5 : 4)..];
        Span<Range> parts = stackalloc Range[6];
        var count = 0;
        var at = 0;
        while (at < line.Length && count < parts.Length)
        {
            while (at < line.Length && line[at] == (byte)' ')
            {
                at++;
            }
            if (at == line.Length)
            {
                break;
            }
            var start = at;
            while (at < line.Length && line[at] != (byte)' ')
            {
                at++;
            }
            parts[count++] = new Range(start, at);
        }
        subject = default;
        reply = default;
        sid = 0;
        headerSize = 0;
        totalSize = 0;
        var expected = headers ? 4 : 3;
        if (count != expected && count != expected + 1)
        {
            return false;
        }
        subject = line[parts[0]];
        if (!Utf8Parser.TryParse(line[parts[1]], out sid, out _))
        {
            return false;
        }
        var next = 2;
        if (count == expected + 1)
        {
            reply = line[parts[2]];
            next = 3;
        }
        if (headers)
        {
            if (!Utf8Parser.TryParse(line[parts[next]], out headerSize, out _))
            {
                return false;
            }
            next++;
        }
        return Utf8Parser.TryParse(line[parts[next]], out totalSize, out _) && headerSize <= totalSize && totalSize >= 0;
    }
}
