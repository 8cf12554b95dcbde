using System.Text;

namespace Nats.Core.Protocol;

/// <summary>
/// A short, quoted piece of what a peer sent, for log lines about protocol errors: at most
/// <see cref="MaxBytes"/> bytes, quoted and escaped as Go's <c>%q</c> does (nats-server's
/// <c>protoSnippet</c>), so control bytes and binary garbage stay on one readable line.
/// </summary>
internal static class ProtocolSnippet
{
    /// <summary>nats-server's <c>PROTO_SNIPPET_SIZE</c>.</summary>
    public const int MaxBytes = 32;

    /// <summary>The first <paramref name="max"/> bytes of <paramref name="data"/>, quoted.</summary>
    public static string Quote(ReadOnlySpan<byte> data, int max = MaxBytes)
    {
        var bytes = data.Length > max ? data[..max] : data;
        var text = new StringBuilder(bytes.Length + 8);
        text.Append('"');
        while (!bytes.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out var length) != System.Buffers.OperationStatus.Done)
            {
                text.Append($"\\x{bytes[0]:x2}");
                bytes = bytes[1..];
                continue;
            }
            bytes = bytes[length..];
            switch (rune.Value)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\a': text.Append("\\a"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\v': text.Append("\\v"); break;
                default:
                    if (Rune.IsControl(rune))
                    {
                        text.Append(rune.Value < 0x80 ? $"\\x{rune.Value:x2}" : $"\\u{rune.Value:x4}");
                    }
                    else
                    {
                        text.Append(rune.ToString());
                    }
                    break;
            }
        }
        return text.Append('"').ToString();
    }
}
