using System.Buffers.Text;
using System.Text;
using Nats.JetStream.Api;

namespace Nats.JetStream.Engine;

/// <summary>Builds pub acks exactly as nats-server writes them, into a reused buffer.</summary>
internal sealed class PubAckWriter(string stream, string? domain)
{
    private readonly byte[] _prefix = Encoding.UTF8.GetBytes(domain is null
        ? $"{{\"stream\":{Quote(stream)},\"seq\":"
        : $"{{\"stream\":{Quote(stream)},\"domain\":{Quote(domain)},\"seq\":");
    private readonly byte[] _buffer = new byte[512];

    /// <summary><c>{"stream":"S","seq":N}</c>, or with <c>,"duplicate": true</c> (nats-server's spacing).</summary>
    public ReadOnlySpan<byte> Ack(ulong seq, bool duplicate)
    {
        var span = _buffer.AsSpan();
        _prefix.CopyTo(span);
        var at = _prefix.Length;
        Utf8Formatter.TryFormat(seq, span[at..], out var n);
        at += n;
        if (duplicate)
        {
            var dup = ",\"duplicate\": true"u8;
            dup.CopyTo(span[at..]);
            at += dup.Length;
        }
        span[at++] = (byte)'}';
        return span[..at];
    }

    public static byte[] Error(string stream, JsError error) => Encoding.UTF8.GetBytes(
        $"{{\"error\":{{\"code\":{error.Code},\"err_code\":{error.ErrCode},\"description\":{Quote(error.Description)}}},\"stream\":{Quote(stream)},\"seq\":0}}");

    /// <summary>A JSON string as Go writes it (quotes escaped as <c>\"</c>, not <c>\u0022</c>).</summary>
    internal static string Quote(string s) =>
        "\"" + System.Text.Json.JsonEncodedText.Encode(s, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value + "\"";
}
