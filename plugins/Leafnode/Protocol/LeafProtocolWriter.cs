using System.Buffers.Text;
using System.Text;

namespace Nats.Leafnode.Protocol;

/// <summary>
/// Writes leaf protocol lines as nats-server's <c>writeLeafSub</c> and
/// <c>msgHeaderForRouteOrLeaf</c> do: <c>LS+ key[ weight]</c> (the weight only for a queue
/// key), <c>LS- key</c>, and <c>LMSG</c>/<c>HMSG</c> with the queue groups picked here.
/// </summary>
internal static class LeafProtocolWriter
{
    /// <summary>The longest message line for these parts, to size a buffer.</summary>
    public static int MessageLineLength(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte[]> queues)
    {
        var length = 40 + subject.Length + reply.Length;
        foreach (var queue in queues)
        {
            length += queue.Length + 1;
        }
        return length;
    }

    /// <summary>
    /// <c>LMSG subject [reply] size</c>, or with queues <c>LMSG subject (+ reply | "|") q1 q2 size</c>;
    /// <c>HMSG</c> adds the header size before the total when <paramref name="headerSize"/> is not negative.
    /// Returns the line's length, CRLF included.
    /// </summary>
    public static int FormatMessageLine(Span<byte> line, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte[]> queues, int headerSize, int totalSize)
    {
        var position = 0;
        Raw(line, ref position, headerSize >= 0 ? "HMSG "u8 : "LMSG "u8);
        Token(line, ref position, subject);
        if (queues.Length > 0)
        {
            if (!reply.IsEmpty)
            {
                Token(line, ref position, "+"u8);
                Token(line, ref position, reply);
            }
            else
            {
                Token(line, ref position, "|"u8);
            }
            foreach (var queue in queues)
            {
                Token(line, ref position, queue);
            }
        }
        else if (!reply.IsEmpty)
        {
            Token(line, ref position, reply);
        }
        if (headerSize >= 0)
        {
            Utf8Formatter.TryFormat(headerSize, line[position..], out var written);
            position += written;
            line[position++] = (byte)' ';
        }
        Utf8Formatter.TryFormat(totalSize, line[position..], out var sizeWritten);
        position += sizeWritten;
        line[position++] = (byte)'\r';
        line[position++] = (byte)'\n';
        return position;
    }

    /// <summary>
    /// <c>LS+ key</c> for plain interest, <c>LS+ key weight</c> for a queue key ("subject queue"),
    /// or <c>LS- key</c> when <paramref name="count"/> is zero.
    /// </summary>
    public static byte[] SubLine(string key, int count)
    {
        var builder = new StringBuilder(key.Length + 16);
        if (count > 0)
        {
            builder.Append("LS+ ").Append(key);
            if (key.Contains(' ', StringComparison.Ordinal))
            {
                builder.Append(' ').Append(count);
            }
        }
        else
        {
            builder.Append("LS- ").Append(key);
        }
        builder.Append("\r\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Token(Span<byte> line, ref int position, ReadOnlySpan<byte> token)
    {
        token.CopyTo(line[position..]);
        position += token.Length;
        line[position++] = (byte)' ';
    }

    private static void Raw(Span<byte> line, ref int position, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(line[position..]);
        position += bytes.Length;
    }
}
