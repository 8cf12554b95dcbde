using System.Buffers.Text;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;

namespace Nats.Gateway;

internal sealed partial class GatewayConnection
{
    // Tokens an RMSG/HMSG line may carry: account, subject, reply marker, reply, sizes, queues.
    private const int MaxMessageTokens = 64;

    /// <summary>
    /// Executes every complete operation: INFO, CONNECT, PING/PONG, +OK/-ERR, RS+/RS-, A+/A-,
    /// RMSG/HMSG. Allocation-free for messages; control operations may allocate.
    /// </summary>
    protected override int Parse(Span<byte> data, out int needed)
    {
        needed = 0;
        var options = Server.Options;
        // As routes: nats-server allows long account/reply/queue lists on server links.
        var maxControlLine = Math.Max(options.MaxControlLine * 16, 64 * 1024);
        var position = 0;
        long messages = 0;
        long bytes = 0;
        try
        {
            while (position < data.Length && !IsClosed)
            {
                var rest = data[position..];
                var newline = rest.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (rest.Length > maxControlLine)
                    {
                        Close(ClosedReason.MaxControlLineExceeded, "Maximum Control Line Exceeded");
                    }
                    break;
                }
                var line = rest[..newline];
                if (!line.IsEmpty && line[^1] == '\r')
                {
                    line = line[..^1];
                }
                var space = line.IndexOfAny((byte)' ', (byte)'\t');
                var op = space < 0 ? line : line[..space];
                var arguments = space < 0 ? [] : line[(space + 1)..].Trim((byte)' ');
                if (Is(op, "RMSG"u8) || Is(op, "HMSG"u8))
                {
                    var consumed = ProcessMessage(rest, newline + 1, arguments, Is(op, "HMSG"u8), out needed, ref bytes);
                    if (consumed <= 0)
                    {
                        break;
                    }
                    messages++;
                    position += consumed;
                    continue;
                }
                TraceReceived(rest[..(newline + 1)], hasPayload: false);
                position += newline + 1;
                ExecuteControl(op, arguments);
            }
        }
        finally
        {
            if (messages > 0)
            {
                CountReceived(messages, bytes);
            }
        }
        return position;
    }

    private void ExecuteControl(ReadOnlySpan<byte> op, ReadOnlySpan<byte> arguments)
    {
        if (!IsOutbound && !_connectReceived && !Is(op, "CONNECT"u8))
        {
            // An accepted gateway must introduce itself with CONNECT first.
            Close(ClosedReason.AuthenticationViolation, "Authorization Violation");
            return;
        }
        if (Is(op, "PING"u8))
        {
            Send("PONG\r\n"u8);
        }
        else if (Is(op, "PONG"u8))
        {
            OnPong();
        }
        else if (Is(op, "INFO"u8))
        {
            ProcessInfo(arguments);
        }
        else if (Is(op, "CONNECT"u8))
        {
            ProcessConnect(arguments);
        }
        else if (Is(op, "RS+"u8))
        {
            ProcessRemoteSub(arguments);
        }
        else if (Is(op, "RS-"u8))
        {
            ProcessRemoteUnsub(arguments);
        }
        else if (Is(op, "A+"u8))
        {
            ProcessAccountSub(arguments);
        }
        else if (Is(op, "A-"u8))
        {
            ProcessAccountUnsub(arguments);
        }
        else if (Is(op, "+OK"u8))
        {
        }
        else if (Is(op, "-ERR"u8))
        {
            GatewayLog.GatewayError(Logger, this, Encoding.UTF8.GetString(arguments));
            Close(ClosedReason.ParseError);
        }
        else
        {
            GatewayLog.ProtocolError(Logger, this, "unknown operation");
            Close(ClosedReason.ProtocolViolation, "Unknown Protocol Operation");
        }
    }

    /// <summary>
    /// RMSG/HMSG: <c>&lt;acc&gt; &lt;subj&gt; [reply | + reply q… | | q…] [hdr] &lt;size&gt;</c>.
    /// Returns the bytes consumed, 0 when the payload is not all here (<paramref name="needed"/>
    /// is then the full size), or -1 after closing on a bad line.
    /// </summary>
    private int ProcessMessage(Span<byte> rest, int headerEnd, ReadOnlySpan<byte> arguments, bool withHeaders, out int needed, ref long bytes)
    {
        needed = 0;
        Span<Range> tokens = stackalloc Range[MaxMessageTokens];
        var count = 0;
        foreach (var range in arguments.Split((byte)' '))
        {
            if (arguments[range].IsEmpty)
            {
                continue;
            }
            if (count == MaxMessageTokens)
            {
                return Fail();
            }
            tokens[count++] = range;
        }
        var sizes = withHeaders ? 2 : 1;
        if (count < 2 + sizes)
        {
            return Fail();
        }
        if (!Utf8Parser.TryParse(arguments[tokens[count - 1]], out int total, out var used) || used != arguments[tokens[count - 1]].Length || total < 0)
        {
            return Fail();
        }
        var headerSize = 0;
        if (withHeaders && (!Utf8Parser.TryParse(arguments[tokens[count - 2]], out headerSize, out used) || used != arguments[tokens[count - 2]].Length || headerSize > total || headerSize < 0))
        {
            return Fail();
        }
        var frame = headerEnd + total + 2;
        if (rest.Length < frame)
        {
            needed = frame;
            return 0;
        }
        if (rest[headerEnd + total] != '\r' || rest[headerEnd + total + 1] != '\n')
        {
            return Fail();
        }
        var account = arguments[tokens[0]];
        var subject = arguments[tokens[1]];
        ReadOnlySpan<byte> reply = default;
        ReadOnlySpan<byte> queues = default;
        var middle = count - 2 - sizes;
        if (middle == 1)
        {
            reply = arguments[tokens[2]];
        }
        else if (middle > 1)
        {
            var marker = arguments[tokens[2]];
            var firstQueue = 3;
            if (marker.SequenceEqual("+"u8))
            {
                reply = arguments[tokens[3]];
                firstQueue = 4;
            }
            else if (!marker.SequenceEqual("|"u8))
            {
                return Fail();
            }
            if (firstQueue < count - sizes)
            {
                queues = arguments[tokens[firstQueue].Start.Value..tokens[count - sizes - 1].End.Value];
            }
        }
        TraceReceived(rest[..frame], hasPayload: true);
        var body = rest.Slice(headerEnd, total);
        bytes += total;
        DeliverInbound(account, subject, reply, queues, body[..headerSize], body[headerSize..]);
        return frame;
    }

    private int Fail()
    {
        GatewayLog.ProtocolError(Logger, this, "bad message line");
        Close(ClosedReason.ParseError, "Protocol Error");
        return -1;
    }

    private static bool Is(ReadOnlySpan<byte> op, ReadOnlySpan<byte> upper)
    {
        if (op.Length != upper.Length)
        {
            return false;
        }
        for (var i = 0; i < op.Length; i++)
        {
            var c = op[i];
            if (c is >= (byte)'a' and <= (byte)'z')
            {
                c -= 32;
            }
            if (c != upper[i])
            {
                return false;
            }
        }
        return true;
    }
}
