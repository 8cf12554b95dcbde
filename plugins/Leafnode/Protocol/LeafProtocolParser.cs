namespace Nats.Leafnode.Protocol;

/// <summary>
/// Parses the protocol nats-server speaks over leaf node connections: INFO, CONNECT, PING,
/// PONG, +OK, -ERR, <c>LS+ subject [queue weight]</c>, <c>LS- subject [queue]</c> (no account
/// token: a leaf connection is bound to one account), and <c>LMSG subject [reply | + reply
/// q… | "|" q…] size</c> or <c>HMSG</c> with a header size (nats-server's
/// <c>processLeafMsgArgs</c>, <c>processLeafHeaderMsgArgs</c>, <c>processLeafSub</c>).
/// </summary>
/// <remarks>Allocation-free: the command's spans point into the buffer.</remarks>
internal static class LeafProtocolParser
{
    private const int MaxArguments = 64;

    /// <summary>Parses the operation at the start of <paramref name="buffer"/>.</summary>
    public static LeafParseStatus Parse(ReadOnlySpan<byte> buffer, int maxControlLine, long maxPayload, out LeafCommand command, out int consumed, out int needed)
    {
        command = default;
        consumed = 0;
        needed = 0;
        var lineEnd = buffer.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return buffer.Length > maxControlLine ? LeafParseStatus.ControlLineTooLong : LeafParseStatus.NeedMore;
        }
        var line = buffer[..lineEnd];
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        if (line.Length > maxControlLine)
        {
            return LeafParseStatus.ControlLineTooLong;
        }
        var space = line.IndexOfAny((byte)' ', (byte)'\t');
        var name = space < 0 ? line : line[..space];
        var args = space < 0 ? default : line[(space + 1)..].Trim(" \t"u8);
        var lineLength = lineEnd + 1;
        consumed = lineLength;

        if (Is(name, "LMSG"u8))
        {
            return ParseMessage(buffer, args, lineLength, maxPayload, hasHeaders: false, ref command, out consumed, out needed);
        }
        if (Is(name, "HMSG"u8))
        {
            return ParseMessage(buffer, args, lineLength, maxPayload, hasHeaders: true, ref command, out consumed, out needed);
        }
        if (Is(name, "LS+"u8))
        {
            command.Op = LeafOp.Sub;
            return ParseSub(args, withWeight: true, ref command);
        }
        if (Is(name, "LS-"u8))
        {
            command.Op = LeafOp.Unsub;
            return ParseSub(args, withWeight: false, ref command);
        }
        if (Is(name, "PING"u8))
        {
            command.Op = LeafOp.Ping;
            return LeafParseStatus.Complete;
        }
        if (Is(name, "PONG"u8))
        {
            command.Op = LeafOp.Pong;
            return LeafParseStatus.Complete;
        }
        command.Argument = args;
        if (Is(name, "INFO"u8))
        {
            command.Op = LeafOp.Info;
        }
        else if (Is(name, "CONNECT"u8))
        {
            command.Op = LeafOp.Connect;
        }
        else if (Is(name, "+OK"u8))
        {
            command.Op = LeafOp.Ok;
        }
        else if (Is(name, "-ERR"u8))
        {
            command.Op = LeafOp.Err;
        }
        else
        {
            return LeafParseStatus.UnknownOperation;
        }
        return LeafParseStatus.Complete;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> expected) =>
        name.Length == expected.Length && System.Text.Ascii.EqualsIgnoreCase(name, expected);

    private static ParseStatusOr ParseMessageArgs(ReadOnlySpan<byte> args, bool hasHeaders, ref LeafCommand command, out long headerSize, out long totalSize)
    {
        headerSize = 0;
        totalSize = -1;
        Span<Range> parts = stackalloc Range[MaxArguments];
        var count = Split(args, parts);
        var sizes = hasHeaders ? 2 : 1;
        if (count < 1 + sizes || count == parts.Length)
        {
            return ParseStatusOr.Bad;
        }
        command.Subject = args[parts[0]];
        var middle = count - 1 - sizes;
        if (middle == 1)
        {
            command.Reply = args[parts[1]];
        }
        else if (middle > 1)
        {
            var indicator = args[parts[1]];
            int firstQueue;
            if (indicator.SequenceEqual("+"u8))
            {
                command.Reply = args[parts[2]];
                firstQueue = 3;
            }
            else if (indicator.SequenceEqual("|"u8))
            {
                firstQueue = 2;
            }
            else
            {
                return ParseStatusOr.Bad;
            }
            var lastQueue = count - sizes - 1;
            if (firstQueue <= lastQueue)
            {
                command.Queues = args[parts[firstQueue].Start.Value..parts[lastQueue].End.Value];
            }
        }
        totalSize = ParseSize(args[parts[count - 1]]);
        if (hasHeaders)
        {
            headerSize = ParseSize(args[parts[count - 2]]);
        }
        return headerSize < 0 || totalSize < 0 || headerSize > totalSize ? ParseStatusOr.Bad : ParseStatusOr.Ok;
    }

    private enum ParseStatusOr : byte
    {
        Ok,
        Bad,
    }

    private static LeafParseStatus ParseMessage(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> args, int lineLength, long maxPayload, bool hasHeaders, ref LeafCommand command, out int consumed, out int needed)
    {
        consumed = 0;
        needed = 0;
        command.Op = LeafOp.Message;
        if (ParseMessageArgs(args, hasHeaders, ref command, out var headerSize, out var totalSize) != ParseStatusOr.Ok)
        {
            return LeafParseStatus.BadArguments;
        }
        if (totalSize > maxPayload)
        {
            return LeafParseStatus.PayloadTooLarge;
        }
        var frameLength = lineLength + (int)totalSize + 2;
        if (buffer.Length < frameLength)
        {
            needed = frameLength;
            return LeafParseStatus.NeedMore;
        }
        if (buffer[frameLength - 2] != (byte)'\r' || buffer[frameLength - 1] != (byte)'\n')
        {
            return LeafParseStatus.UnknownOperation;
        }
        var body = buffer.Slice(lineLength, (int)totalSize);
        command.Headers = body[..(int)headerSize];
        command.Payload = body[(int)headerSize..];
        consumed = frameLength;
        return LeafParseStatus.Complete;
    }

    /// <summary><c>subject [queue [weight]]</c>; the key is the text without the weight.</summary>
    private static LeafParseStatus ParseSub(ReadOnlySpan<byte> args, bool withWeight, ref LeafCommand command)
    {
        Span<Range> parts = stackalloc Range[4];
        var count = Split(args, parts);
        // LS+ takes a subject alone or with a queue and its weight (nats-server refuses a queue
        // without weight); LS- takes a subject, optionally with its queue.
        var valid = withWeight ? count is 1 or 3 : count is 1 or 2;
        if (!valid)
        {
            return LeafParseStatus.BadArguments;
        }
        command.Subject = args[parts[0]];
        command.QueueWeight = 1;
        if (count >= 2)
        {
            command.Queue = args[parts[1]];
            command.Key = args[parts[0].Start.Value..parts[1].End.Value];
            if (count == 3)
            {
                var weight = ParseSize(args[parts[2]]);
                if (weight < 0 || weight > int.MaxValue)
                {
                    return LeafParseStatus.BadArguments;
                }
                command.QueueWeight = (int)weight;
            }
        }
        else
        {
            command.Key = command.Subject;
        }
        return LeafParseStatus.Complete;
    }

    /// <summary>Splits on spaces and tabs; returns the count (parts.Length when there were too many).</summary>
    internal static int Split(ReadOnlySpan<byte> args, Span<Range> parts)
    {
        var count = 0;
        var start = -1;
        for (var i = 0; i < args.Length; i++)
        {
            var b = args[i];
            if (b is (byte)' ' or (byte)'\t')
            {
                if (start >= 0)
                {
                    if (count == parts.Length)
                    {
                        return count;
                    }
                    parts[count++] = start..i;
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }
        if (start >= 0)
        {
            if (count == parts.Length)
            {
                return count;
            }
            parts[count++] = start..args.Length;
        }
        return count;
    }

    /// <summary>nats-server's parseSize: decimal digits only, -1 when not a size.</summary>
    internal static long ParseSize(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty || digits.Length > 12)
        {
            return -1;
        }
        long n = 0;
        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }
            n = n * 10 + (d - '0');
        }
        return n;
    }
}
