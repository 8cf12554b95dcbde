using System.Buffers.Text;

namespace Nats.Core.Protocol;

/// <summary>
/// Writes the pieces of a message control line (MSG, HMSG, RMSG…) into a span without
/// allocating: tokens separated by spaces, then the sizes and the CRLF every form ends with.
/// </summary>
internal static class ControlLineWriter
{
    /// <summary>Copies <paramref name="token"/> and a space.</summary>
    public static void Token(Span<byte> line, ref int position, ReadOnlySpan<byte> token)
    {
        token.CopyTo(line[position..]);
        position += token.Length;
        line[position++] = (byte)' ';
    }

    /// <summary>Copies <paramref name="bytes"/> as they are.</summary>
    public static void Raw(Span<byte> line, ref int position, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(line[position..]);
        position += bytes.Length;
    }

    /// <summary>
    /// Writes <c>[headerSize ]totalSize\r\n</c> (the header size only when it is not negative,
    /// that is for the header-carrying forms) and returns the line's length.
    /// </summary>
    public static int SizesAndEnd(Span<byte> line, int position, int headerSize, int totalSize)
    {
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
}
