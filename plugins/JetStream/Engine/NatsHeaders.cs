using System.Text;

namespace Nats.JetStream.Engine;

/// <summary>Reads header values from a <c>NATS/1.0</c> header block without allocating for absent ones.</summary>
public static class NatsHeaders
{
    /// <summary>De-duplication id of a published message.</summary>
    public const string MsgId = "Nats-Msg-Id";

    /// <summary>The publish is refused unless it lands in this stream.</summary>
    public const string ExpectedStream = "Nats-Expected-Stream";

    /// <summary>The publish is refused unless the stream's last sequence is this.</summary>
    public const string ExpectedLastSeq = "Nats-Expected-Last-Sequence";

    /// <summary>The publish is refused unless the last sequence on its subject is this.</summary>
    public const string ExpectedLastSubjectSeq = "Nats-Expected-Last-Subject-Sequence";

    /// <summary>The subject <see cref="ExpectedLastSubjectSeq"/> is checked on instead of the message's.</summary>
    public const string ExpectedLastSubjectSeqSubject = "Nats-Expected-Last-Subject-Sequence-Subject";

    /// <summary>The publish is refused unless the stream's last <see cref="MsgId"/> is this.</summary>
    public const string ExpectedLastMsgId = "Nats-Expected-Last-Msg-Id";

    /// <summary><c>sub</c> or <c>all</c>: the message replaces the subject's (or the stream's) earlier messages.</summary>
    public const string Rollup = "Nats-Rollup";

    /// <summary>Per-message TTL (Go duration or seconds; <c>never</c>).</summary>
    public const string Ttl = "Nats-TTL";

    /// <summary>The value of the first header named <paramref name="name"/> (exact case, as nats-server), or null.</summary>
    public static string? Get(ReadOnlySpan<byte> headers, string name)
    {
        if (headers.Length == 0)
        {
            return null;
        }
        Span<byte> key = stackalloc byte[name.Length + 1];
        Encoding.ASCII.GetBytes(name, key);
        key[^1] = (byte)':';
        var rest = headers;
        var nl = rest.IndexOf((byte)'\n');
        if (nl < 0)
        {
            return null;
        }
        rest = rest[(nl + 1)..];
        while (rest.Length > 0)
        {
            nl = rest.IndexOf((byte)'\n');
            var line = nl < 0 ? rest : rest[..nl];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }
            if (line.StartsWith(key))
            {
                return Encoding.UTF8.GetString(line[key.Length..].Trim((byte)' '));
            }
            if (nl < 0)
            {
                break;
            }
            rest = rest[(nl + 1)..];
        }
        return null;
    }

    /// <summary>
    /// Parses <c>Nats-TTL</c>: a Go duration of at least 1s, whole seconds, or <c>never</c> (-1).
    /// False when invalid.
    /// </summary>
    public static bool TryParseTtl(string value, out long nanoseconds)
    {
        nanoseconds = 0;
        if (value == "never")
        {
            nanoseconds = -1;
            return true;
        }
        if (long.TryParse(value, out var seconds))
        {
            if (seconds < 1)
            {
                return false;
            }
            nanoseconds = seconds * 1_000_000_000L;
            return true;
        }
        if (!Nats.Core.Config.GoDuration.TryParseNanoseconds(value, out var ns, out _) || ns < 1_000_000_000L)
        {
            return false;
        }
        nanoseconds = ns;
        return true;
    }
}
