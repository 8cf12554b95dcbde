using System.Buffers.Text;
using System.Text;

namespace Nats.JetStream.Engine.Consumers;

/// <summary>
/// The reply subject of a delivered message, which the client acks on:
/// <c>$JS.ACK.&lt;stream&gt;.&lt;consumer&gt;.&lt;delivered&gt;.&lt;sseq&gt;.&lt;cseq&gt;.&lt;ts&gt;.&lt;pending&gt;</c>
/// (v1, what nats-server sends by default), and the v2 form
/// <c>$JS.ACK.&lt;domain&gt;.&lt;account hash&gt;.&lt;stream&gt;.&lt;consumer&gt;.&lt;delivered&gt;.…</c> which is parsed too.
/// </summary>
public static class AckSubject
{
    /// <summary>What every ack reply subject starts with.</summary>
    public const string Prefix = "$JS.ACK.";

    /// <summary>The reply for one delivery, built into <paramref name="buffer"/> (the consumer's reused builder).</summary>
    public static string Build(StringBuilder buffer, string prefix, ulong delivered, ulong streamSeq, ulong consumerSeq, long timestamp, ulong pending)
    {
        buffer.Clear();
        buffer.Append(prefix).Append(delivered).Append('.').Append(streamSeq).Append('.').Append(consumerSeq)
            .Append('.').Append(timestamp).Append('.').Append(pending);
        return buffer.ToString();
    }

    /// <summary>The fixed start of a consumer's ack subjects: <c>$JS.ACK.&lt;stream&gt;.&lt;consumer&gt;.</c></summary>
    public static string PrefixFor(string stream, string consumer) => Prefix + stream + "." + consumer + ".";

    /// <summary>Parses an ack subject; false when it is not one (wrong token count or numbers).</summary>
    public static bool TryParse(string subject, out AckInfo info)
    {
        info = default;
        if (!subject.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var tokens = subject.Split('.');
        int at;
        if (tokens.Length == 9)
        {
            at = 2;
        }
        else if (tokens.Length >= 11)
        {
            at = 4;
        }
        else
        {
            return false;
        }
        if (!ulong.TryParse(tokens[at + 2], out var delivered) || !ulong.TryParse(tokens[at + 3], out var sseq)
            || !ulong.TryParse(tokens[at + 4], out var cseq) || !long.TryParse(tokens[at + 5], out var ts)
            || !ulong.TryParse(tokens[at + 6], out var pending))
        {
            return false;
        }
        info = new AckInfo(tokens[at], tokens[at + 1], delivered, sseq, cseq, ts, pending);
        return true;
    }

    internal static bool TryParseNumber(ReadOnlySpan<byte> text, out long value) => Utf8Parser.TryParse(text, out value, out var n) && n == text.Length;
}

/// <summary>What an ack subject says about the delivery it acknowledges.</summary>
public readonly record struct AckInfo(string Stream, string Consumer, ulong Delivered, ulong StreamSeq, ulong ConsumerSeq, long Timestamp, ulong Pending);
