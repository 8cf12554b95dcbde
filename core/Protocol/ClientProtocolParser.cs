using System.Buffers.Binary;

namespace Nats.Core.Protocol;

/// <summary>
/// Parses the client protocol from a contiguous receive buffer, one operation per call.
/// </summary>
/// <remarks>
/// The read loop keeps unconsumed bytes at the front of its buffer and appends the next read,
/// so an operation split across TCP reads is simply parsed again once it is complete; nothing
/// is copied per message when many operations arrive in one read. Operation names are
/// case-insensitive and arguments are separated by spaces or tabs, as in nats-server.
/// </remarks>
internal static class ClientProtocolParser
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    // Room for the operation name and its separator on top of max_control_line, which
    // nats-server applies to the arguments only.
    private const int OperationSlack = 16;

    /// <summary>Parses the operation at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Unconsumed bytes.</param>
    /// <param name="maxControlLine">Longest argument text allowed.</param>
    /// <param name="maxPayload">Largest PUB/HPUB size allowed.</param>
    /// <param name="command">The parsed operation when the result is <see cref="ParseStatus.Complete"/>.</param>
    /// <param name="consumed">Bytes the operation occupies, including its payload.</param>
    /// <param name="needed">With <see cref="ParseStatus.NeedMore"/>: the full size of the
    /// operation when already known (a PUB whose payload has not fully arrived), else 0.</param>
    public static ParseStatus Parse(
        ReadOnlySpan<byte> buffer,
        int maxControlLine,
        long maxPayload,
        out ClientCommand command,
        out int consumed,
        out int needed)
    {
        command = default;
        needed = 0;
        if (TryParsePlainPub(buffer, maxControlLine, maxPayload, ref command, out consumed))
        {
            return ParseStatus.Complete;
        }
        return ParseGeneral(buffer, maxControlLine, maxPayload, ref command, out consumed, out needed);
    }

    /// <summary>
    /// Every operation in every spelling nats-server accepts: the same result as
    /// <see cref="Parse"/>, without its shortcut for the plain PUB.
    /// </summary>
    internal static ParseStatus ParseGeneral(
        ReadOnlySpan<byte> buffer,
        int maxControlLine,
        long maxPayload,
        ref ClientCommand command,
        out int consumed,
        out int needed)
    {
        consumed = 0;
        needed = 0;
        if (buffer.IsEmpty)
        {
            return ParseStatus.NeedMore;
        }

        var status = ReadOperation(buffer, out var op, out var nameLength);
        if (status != ParseStatus.Complete)
        {
            return status;
        }

        var lineEnd = buffer.IndexOf(Lf);
        if (lineEnd < 0)
        {
            return buffer.Length - nameLength > maxControlLine + OperationSlack
                ? ParseStatus.ControlLineTooLong
                : ParseStatus.NeedMore;
        }

        var line = buffer[..lineEnd];
        if (!line.IsEmpty && line[^1] == Cr)
        {
            line = line[..^1];
        }
        var args = line[nameLength..].TrimStart(" \t"u8);
        if (args.Length > maxControlLine)
        {
            return ParseStatus.ControlLineTooLong;
        }

        var lineLength = lineEnd + 1;
        command.Op = op;
        switch (op)
        {
            case ClientOp.Ping:
            case ClientOp.Pong:
            case ClientOp.Ok:
                consumed = lineLength;
                return ParseStatus.Complete;
            case ClientOp.Connect:
            case ClientOp.Info:
            case ClientOp.Err:
                command.Argument = args;
                consumed = lineLength;
                return ParseStatus.Complete;
            case ClientOp.Sub:
                consumed = lineLength;
                return ParseSub(args, ref command);
            case ClientOp.Unsub:
                consumed = lineLength;
                return ParseUnsub(args, ref command);
            default:
                return ParsePublish(buffer, args, lineLength, maxPayload, ref command, out consumed, out needed);
        }
    }

    // "pub " read as one little-endian word, its letters lower-cased by PubCaseMask.
    private const uint PubWord = 'p' | ('u' << 8) | ('b' << 16) | (' ' << 24);
    private const uint PubCaseMask = 0x00_20_20_20;

    /// <summary>
    /// The shortcut for what publishers send nearly always, a complete <c>PUB subject [reply]
    /// size\r\n payload\r\n</c> with single spaces and nothing unusual: one search for the
    /// line end, the size read backwards from it, one search for a space between subject and
    /// reply. The general path spends most of a small message's parse time trimming,
    /// splitting and dispatching. Anything else (tabs, extra spaces, a line or payload not yet
    /// complete, an error) returns false and is left to <see cref="ParseGeneral"/>, which
    /// gives every such case its exact answer.
    /// </summary>
    internal static bool TryParsePlainPub(
        ReadOnlySpan<byte> buffer,
        int maxControlLine,
        long maxPayload,
        ref ClientCommand command,
        out int consumed)
    {
        consumed = 0;
        if (buffer.Length < 4 || (BinaryPrimitives.ReadUInt32LittleEndian(buffer) | PubCaseMask) != PubWord)
        {
            return false;
        }
        var end = buffer[4..].IndexOf(Lf);
        if (end < 1 || buffer[3 + end] != Cr)
        {
            return false;
        }
        var args = buffer.Slice(4, end - 1);
        if (args.Length > maxControlLine)
        {
            return false;
        }

        // The size: the digits before the CR, after a single space.
        var i = args.Length - 1;
        var size = 0;
        for (var scale = 1; i >= 0 && (uint)(args[i] - '0') <= 9; i--, scale *= 10)
        {
            if (scale > MaxSizeScale)
            {
                return false;
            }
            size += (args[i] - '0') * scale;
        }
        if (i == args.Length - 1 || i < 1 || args[i] != (byte)' ' || size > maxPayload)
        {
            return false;
        }

        // The subject, and the reply when one more single space splits them.
        var names = args[..i];
        if (names[0] is (byte)' ' or (byte)'\t')
        {
            return false;
        }
        var space = names.IndexOfAny((byte)' ', (byte)'\t');
        ReadOnlySpan<byte> reply = default;
        if (space >= 0)
        {
            reply = names[(space + 1)..];
            if (names[space] != (byte)' ' || reply.IsEmpty || reply.ContainsAny((byte)' ', (byte)'\t'))
            {
                return false;
            }
            names = names[..space];
        }

        var lineLength = end + 5;
        var frameLength = lineLength + size + 2;
        if (buffer.Length < frameLength || buffer[frameLength - 2] != Cr || buffer[frameLength - 1] != Lf)
        {
            return false;
        }
        command.Op = ClientOp.Pub;
        command.Subject = names;
        command.Reply = reply;
        command.Payload = buffer.Slice(lineLength, size);
        consumed = frameLength;
        return true;
    }

    /// <summary>Identifies the operation from as many leading bytes as have arrived.</summary>
    private static ParseStatus ReadOperation(ReadOnlySpan<byte> buffer, out ClientOp op, out int nameLength)
    {
        op = ClientOp.None;
        nameLength = 0;
        ReadOnlySpan<byte> name;
        var requiresSeparator = true;
        switch (buffer[0] | 0x20)
        {
            case 'p':
                if (buffer.Length < 2)
                {
                    return ParseStatus.NeedMore;
                }
                switch (buffer[1] | 0x20)
                {
                    case 'u': op = ClientOp.Pub; name = "pub"u8; break;
                    case 'i': op = ClientOp.Ping; name = "ping"u8; requiresSeparator = false; break;
                    case 'o': op = ClientOp.Pong; name = "pong"u8; requiresSeparator = false; break;
                    default: return ParseStatus.UnknownOperation;
                }
                break;
            case 'h': op = ClientOp.HPub; name = "hpub"u8; break;
            case 's': op = ClientOp.Sub; name = "sub"u8; break;
            case 'u': op = ClientOp.Unsub; name = "unsub"u8; break;
            case 'c': op = ClientOp.Connect; name = "connect"u8; requiresSeparator = false; break;
            case 'i': op = ClientOp.Info; name = "info"u8; requiresSeparator = false; break;
            default:
                if (buffer[0] == (byte)'+')
                {
                    op = ClientOp.Ok; name = "+ok"u8; requiresSeparator = false;
                }
                else if (buffer[0] == (byte)'-')
                {
                    op = ClientOp.Err; name = "-err"u8;
                }
                else
                {
                    return ParseStatus.UnknownOperation;
                }
                break;
        }

        var available = Math.Min(buffer.Length, name.Length);
        for (var i = 1; i < available; i++)
        {
            if ((buffer[i] | 0x20) != name[i])
            {
                return ParseStatus.UnknownOperation;
            }
        }
        if (buffer.Length <= name.Length)
        {
            return ParseStatus.NeedMore;
        }
        if (requiresSeparator && buffer[name.Length] is not ((byte)' ' or (byte)'\t'))
        {
            return ParseStatus.UnknownOperation;
        }
        nameLength = name.Length;
        return ParseStatus.Complete;
    }

    private static ParseStatus ParsePublish(
        ReadOnlySpan<byte> buffer,
        ReadOnlySpan<byte> args,
        int lineLength,
        long maxPayload,
        ref ClientCommand command,
        out int consumed,
        out int needed)
    {
        consumed = 0;
        needed = 0;
        Span<Range> parts = stackalloc Range[5];
        var count = SplitArguments(args, parts);
        var isHeaderPub = command.Op == ClientOp.HPub;
        long headerSize = 0;
        long totalSize;
        if (isHeaderPub)
        {
            if (count is not (3 or 4))
            {
                return ParseStatus.BadArguments;
            }
            headerSize = ParseSize(args[parts[count - 2]]);
            totalSize = ParseSize(args[parts[count - 1]]);
            if (headerSize < 0 || totalSize < 0 || headerSize > totalSize)
            {
                return ParseStatus.BadArguments;
            }
        }
        else
        {
            if (count is not (2 or 3))
            {
                return ParseStatus.BadArguments;
            }
            totalSize = ParseSize(args[parts[count - 1]]);
            if (totalSize < 0)
            {
                return ParseStatus.BadArguments;
            }
        }
        if (totalSize > maxPayload)
        {
            return ParseStatus.PayloadTooLarge;
        }

        command.Subject = args[parts[0]];
        var hasReply = count == (isHeaderPub ? 4 : 3);
        command.Reply = hasReply ? args[parts[1]] : default;

        var frameLength = lineLength + (int)totalSize + 2;
        if (buffer.Length < frameLength)
        {
            // nats-server rejects a payload followed by anything but CR as soon as that byte
            // arrives, rather than waiting for a second byte that may never come.
            if (buffer.Length == frameLength - 1 && buffer[frameLength - 2] != Cr)
            {
                return ParseStatus.UnknownOperation;
            }
            needed = frameLength;
            return ParseStatus.NeedMore;
        }
        if (buffer[frameLength - 2] != Cr || buffer[frameLength - 1] != Lf)
        {
            return ParseStatus.UnknownOperation;
        }
        var body = buffer.Slice(lineLength, (int)totalSize);
        command.Headers = body[..(int)headerSize];
        command.Payload = body[(int)headerSize..];
        consumed = frameLength;
        return ParseStatus.Complete;
    }

    private static ParseStatus ParseSub(ReadOnlySpan<byte> args, ref ClientCommand command)
    {
        Span<Range> parts = stackalloc Range[4];
        var count = SplitArguments(args, parts);
        switch (count)
        {
            case 2:
                command.Subject = args[parts[0]];
                command.Sid = args[parts[1]];
                return ParseStatus.Complete;
            case 3:
                command.Subject = args[parts[0]];
                command.Queue = args[parts[1]];
                command.Sid = args[parts[2]];
                return ParseStatus.Complete;
            default:
                return ParseStatus.BadArguments;
        }
    }

    private static ParseStatus ParseUnsub(ReadOnlySpan<byte> args, ref ClientCommand command)
    {
        Span<Range> parts = stackalloc Range[3];
        var count = SplitArguments(args, parts);
        switch (count)
        {
            case 1:
                command.Sid = args[parts[0]];
                return ParseStatus.Complete;
            case 2:
                command.Sid = args[parts[0]];
                // nats-server reads the max with parseSize and treats anything that is not a
                // positive number (garbage, "-3") as "unsubscribe now", keeping the connection.
                command.MaxMessages = Math.Max(ParseSize(args[parts[1]]), 0);
                return ParseStatus.Complete;
            default:
                return ParseStatus.BadArguments;
        }
    }

    /// <summary>
    /// Splits on spaces and tabs. Returns the number of arguments, or parts.Length when there
    /// are more than the caller can use (which every caller treats as malformed).
    /// </summary>
    internal static int SplitArguments(ReadOnlySpan<byte> args, Span<Range> parts)
    {
        // Token ends are found with a vectorised search: a PUB's subject is most of its
        // control line, and a loop over its bytes was the parser's largest cost per message.
        var count = 0;
        var i = 0;
        while (true)
        {
            while (i < args.Length && args[i] is (byte)' ' or (byte)'\t')
            {
                i++;
            }
            if (i == args.Length)
            {
                return count;
            }
            var length = args[i..].IndexOfAny((byte)' ', (byte)'\t');
            var end = length < 0 ? args.Length : i + length;
            parts[count++] = new Range(i, end);
            if (length < 0 || count == parts.Length)
            {
                return count;
            }
            i = end + 1;
        }
    }

    // nats-server's parseSize reads at most 9 digits (999M); a longer size is malformed (a
    // silent close), not an oversized payload (which would get -ERR 'Maximum Payload Violation').
    private const int MaxSizeDigits = 9;

    // The place value of the ninth digit: a tenth makes the size malformed.
    private const int MaxSizeScale = 100_000_000;

    /// <summary>Parses a non-negative decimal size; -1 when empty, not all digits, or longer than 9 digits.</summary>
    internal static long ParseSize(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty || digits.Length > MaxSizeDigits)
        {
            return -1;
        }
        long value = 0;
        foreach (var d in digits)
        {
            var v = d - (byte)'0';
            if ((uint)v > 9)
            {
                return -1;
            }
            value = value * 10 + v;
        }
        return value;
    }
}
