using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;

namespace Nats.Mqtt.Kernel;

/// <summary>
/// The MQTT session's end of its kernel client: writes the client protocol (CONNECT, SUB,
/// UNSUB, HPUB, PING) and parses what the kernel sends back (INFO, MSG, HMSG, PING, PONG, -ERR).
/// </summary>
/// <remarks>
/// Writes go through <see cref="Gate"/> (the session's read loop, the link's reader answering
/// PINGs and QoS acknowledgements all write); the gate is never held while waiting for the
/// kernel, so the reader can always make progress. Parsing allocates nothing per message:
/// operations are parsed from the pipe's buffer (a message split across segments is copied
/// once into a pooled buffer).
/// </remarks>
internal sealed class KernelLink
{
    private const int MaxControlLine = 4096 + 64;
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    private readonly KernelPipe _pipe;
    private readonly PipeWriter _out;

    public KernelLink(KernelPipe pipe)
    {
        _pipe = pipe;
        _out = pipe.Output;
    }

    /// <summary>Held by whoever writes and flushes.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Writes raw protocol text (CONNECT's JSON, say).</summary>
    public void WriteText(string text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        var span = _out.GetSpan(count);
        Encoding.UTF8.GetBytes(text, span);
        _out.Advance(count);
    }

    public void WritePing() => _out.Write("PING\r\n"u8);

    public void WritePong() => _out.Write("PONG\r\n"u8);

    /// <summary>SUB subject [queue] sid.</summary>
    public void WriteSub(string subject, string? queue, long sid)
    {
        _out.Write("SUB "u8);
        WriteAscii(subject);
        if (queue is not null)
        {
            _out.Write(" "u8);
            WriteAscii(queue);
        }
        _out.Write(" "u8);
        WriteNumber(sid);
        _out.Write(Crlf);
    }

    /// <summary>UNSUB sid.</summary>
    public void WriteUnsub(long sid)
    {
        _out.Write("UNSUB "u8);
        WriteNumber(sid);
        _out.Write(Crlf);
    }

    /// <summary>HPUB subject [reply] hdrlen total, headers, payload.</summary>
    public void WriteHPub(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> headers, ReadOnlySequence<byte> payload)
    {
        _out.Write("HPUB "u8);
        _out.Write(subject);
        _out.Write(" "u8);
        if (!reply.IsEmpty)
        {
            _out.Write(reply);
            _out.Write(" "u8);
        }
        WriteNumber(headers.Length);
        _out.Write(" "u8);
        WriteNumber(headers.Length + payload.Length);
        _out.Write(Crlf);
        _out.Write(headers);
        foreach (var segment in payload)
        {
            _out.Write(segment.Span);
        }
        _out.Write(Crlf);
    }

    /// <summary>PUB subject size, payload (an acknowledgement, say).</summary>
    public void WritePub(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> payload)
    {
        _out.Write("PUB "u8);
        _out.Write(subject);
        _out.Write(" "u8);
        WriteNumber(payload.Length);
        _out.Write(Crlf);
        _out.Write(payload);
        _out.Write(Crlf);
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _out.FlushAsync(cancellationToken);

    private void WriteAscii(string text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        var span = _out.GetSpan(count);
        Encoding.UTF8.GetBytes(text, span);
        _out.Advance(count);
    }

    private void WriteNumber(long value)
    {
        var span = _out.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        _out.Advance(written);
    }

    /// <summary>Reads the kernel's side until it ends; hands each operation to <paramref name="events"/>.</summary>
    public async Task RunReaderAsync(IKernelEvents events, CancellationToken cancellationToken)
    {
        var input = _pipe.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                var pings = 0;
                var consumed = Parse(ref buffer, events, ref pings, out var error);
                input.AdvanceTo(consumed, buffer.End);
                if (error)
                {
                    return;
                }
                await events.OnBatchEndAsync().ConfigureAwait(false);
                if (pings > 0)
                {
                    await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        for (var i = 0; i < pings; i++)
                        {
                            WritePong();
                        }
                        await FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        Gate.Release();
                    }
                }
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            // The session ended its side, or the pipe was completed under us: nothing more to read.
        }
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
