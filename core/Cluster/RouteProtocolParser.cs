using Nats.Core.Protocol;

namespace Nats.Core.Cluster;

/// <summary>Operations on a route.</summary>
internal enum RouteOp : byte
{
    None,
    Info,
    Connect,
    Ping,
    Pong,
    Ok,
    Err,
    RemoteSub,
    RemoteUnsub,
    LeafSub,
    LeafUnsub,
    Message,
    AccountSub,
    AccountUnsub,
}

/// <summary>One parsed route operation; spans point into the receive buffer.</summary>
internal ref struct RouteCommand
{
    public RouteOp Op;
    public ReadOnlySpan<byte> Argument;
    public ReadOnlySpan<byte> Account;
    public ReadOnlySpan<byte> Subject;
    public ReadOnlySpan<byte> Reply;
    public ReadOnlySpan<byte> Queue;
    public ReadOnlySpan<byte> Queues;
    public ReadOnlySpan<byte> Headers;
    public ReadOnlySpan<byte> Payload;
    public int QueueWeight;
    public ReadOnlySpan<byte> Origin;
}

/// <summary>
/// Parses the route protocol nats-server speaks between cluster members: INFO, CONNECT,
/// PING/PONG, RS+/RS- (interest, with queue weights), LS+/LS- (interest from leaf nodes),
/// RMSG/HMSG (messages with account and optional queue list), A+/A-.
/// </summary>
internal static class RouteProtocolParser
{
    /// <summary>Parses the operation at the start of <paramref name="buffer"/>.</summary>
    public static ParseStatus Parse(ReadOnlySpan<byte> buffer, int maxControlLine, long maxPayload, out RouteCommand command, out int consumed, out int needed)
    {
        command = default;
        consumed = 0;
        needed = 0;
        var lineEnd = buffer.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return buffer.Length > maxControlLine ? ParseStatus.ControlLineTooLong : ParseStatus.NeedMore;
        }
        var line = buffer[..lineEnd];
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        if (line.Length > maxControlLine)
        {
            return ParseStatus.ControlLineTooLong;
        }
        var space = line.IndexOfAny((byte)' ', (byte)'\t');
        var name = space < 0 ? line : line[..space];
        var args = space < 0 ? default : line[(space + 1)..].Trim(" \t"u8);
        var lineLength = lineEnd + 1;
        consumed = lineLength;

        if (Is(name, "RMSG"u8))
        {
            return ParseMessage(buffer, args, lineLength, maxPayload, hasHeaders: false, ref command, out consumed, out needed);
        }
        if (Is(name, "HMSG"u8))
        {
            return ParseMessage(buffer, args, lineLength, maxPayload, hasHeaders: true, ref command, out consumed, out needed);
        }
        if (Is(name, "RS+"u8))
        {
            command.Op = RouteOp.RemoteSub;
            return ParseSub(args, hasOrigin: false, withWeight: true, ref command);
        }
        if (Is(name, "RS-"u8))
        {
            command.Op = RouteOp.RemoteUnsub;
            return ParseSub(args, hasOrigin: false, withWeight: false, ref command);
        }
        if (Is(name, "LS+"u8))
        {
            command.Op = RouteOp.LeafSub;
            return ParseSub(args, hasOrigin: true, withWeight: true, ref command);
        }
        if (Is(name, "LS-"u8))
        {
            // nats-server puts the origin in LS- only for peers that announce "lnocu" in INFO,
            // which this server does not.
            command.Op = RouteOp.LeafUnsub;
            return ParseSub(args, hasOrigin: false, withWeight: false, ref command);
        }
        if (Is(name, "PING"u8))
        {
            command.Op = RouteOp.Ping;
            return ParseStatus.Complete;
        }
        if (Is(name, "PONG"u8))
        {
            command.Op = RouteOp.Pong;
            return ParseStatus.Complete;
        }
        command.Argument = args;
        if (Is(name, "INFO"u8))
        {
            command.Op = RouteOp.Info;
        }
        else if (Is(name, "CONNECT"u8))
        {
            command.Op = RouteOp.Connect;
        }
        else if (Is(name, "+OK"u8))
        {
            command.Op = RouteOp.Ok;
        }
        else if (Is(name, "-ERR"u8))
        {
            command.Op = RouteOp.Err;
        }
        else if (Is(name, "A+"u8))
        {
            command.Op = RouteOp.AccountSub;
        }
        else if (Is(name, "A-"u8))
        {
            command.Op = RouteOp.AccountUnsub;
        }
        else
        {
            return ParseStatus.UnknownOperation;
        }
        return ParseStatus.Complete;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> expected) =>
        name.Length == expected.Length && System.Text.Ascii.EqualsIgnoreCase(name, expected);

    /// <summary>
    /// <c>RMSG acc subj [reply] size</c>, <c>RMSG acc subj (+ reply | "|") q1 q2 … size</c>,
    /// and the HMSG forms with a header size before the total size.
    /// </summary>
    private static ParseStatus ParseMessage(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> args, int lineLength, long maxPayload, bool hasHeaders, ref RouteCommand command, out int consumed, out int needed)
    {
        consumed = 0;
        needed = 0;
        command.Op = RouteOp.Message;
        Span<Range> parts = stackalloc Range[64];
        var count = ClientProtocolParser.SplitArguments(args, parts);
        var sizes = hasHeaders ? 2 : 1;
        if (count < 2 + sizes || count == parts.Length)
        {
            return ParseStatus.BadArguments;
        }
        command.Account = args[parts[0]];
        command.Subject = args[parts[1]];
        var middle = count - 2 - sizes;
        if (middle == 1)
        {
            command.Reply = args[parts[2]];
        }
        else if (middle > 1)
        {
            var indicator = args[parts[2]];
            int firstQueue;
            if (indicator.SequenceEqual("+"u8))
            {
                command.Reply = args[parts[3]];
                firstQueue = 4;
            }
            else if (indicator.SequenceEqual("|"u8))
            {
                firstQueue = 3;
            }
            else
            {
                return ParseStatus.BadArguments;
            }
            var lastQueue = count - sizes - 1;
            if (firstQueue <= lastQueue)
            {
                command.Queues = args[parts[firstQueue].Start.Value..parts[lastQueue].End.Value];
            }
        }
        long headerSize = 0;
        var totalSize = ClientProtocolParser.ParseSize(args[parts[count - 1]]);
        if (hasHeaders)
        {
            headerSize = ClientProtocolParser.ParseSize(args[parts[count - 2]]);
        }
        if (headerSize < 0 || totalSize < 0 || headerSize > totalSize)
        {
            return ParseStatus.BadArguments;
        }
        if (totalSize > maxPayload)
        {
            return ParseStatus.PayloadTooLarge;
        }
        var frameLength = lineLength + (int)totalSize + 2;
        if (buffer.Length < frameLength)
        {
            needed = frameLength;
            return ParseStatus.NeedMore;
        }
        if (buffer[frameLength - 2] != (byte)'\r' || buffer[frameLength - 1] != (byte)'\n')
        {
            return ParseStatus.UnknownOperation;
        }
        var body = buffer.Slice(lineLength, (int)totalSize);
        command.Headers = body[..(int)headerSize];
        command.Payload = body[(int)headerSize..];
        consumed = frameLength;
        return ParseStatus.Complete;
    }

    /// <summary><c>[origin] account subject [queue [weight]]</c>.</summary>
    private static ParseStatus ParseSub(ReadOnlySpan<byte> args, bool hasOrigin, bool withWeight, ref RouteCommand command)
    {
        Span<Range> parts = stackalloc Range[6];
        var count = ClientProtocolParser.SplitArguments(args, parts);
        var offset = hasOrigin ? 1 : 0;
        count -= offset;
        if (count is < 2 or > 4 || count + offset == parts.Length)
        {
            return ParseStatus.BadArguments;
        }
        if (hasOrigin)
        {
            command.Origin = args[parts[0]];
        }
        command.Account = args[parts[offset]];
        command.Subject = args[parts[offset + 1]];
        command.QueueWeight = 1;
        if (count >= 3)
        {
            command.Queue = args[parts[offset + 2]];
            if (count == 4)
            {
                if (!withWeight)
                {
                    return ParseStatus.BadArguments;
                }
                var weight = ClientProtocolParser.ParseSize(args[parts[offset + 3]]);
                if (weight < 0 || weight > int.MaxValue)
                {
                    return ParseStatus.BadArguments;
                }
                command.QueueWeight = (int)weight;
            }
        }
        return ParseStatus.Complete;
    }
}
