using System.Globalization;

namespace Nats.Mqtt.Store;

/// <summary>
/// What a JetStream delivery's reply subject tells: <c>$JS.ACK.&lt;stream&gt;.&lt;consumer&gt;.&lt;delivered&gt;.&lt;sseq&gt;.&lt;cseq&gt;.&lt;ts&gt;.&lt;pending&gt;</c>
/// (or the form with domain and account hash, two tokens more after <c>ACK</c> and a random last one).
/// </summary>
internal static class AckReply
{
    public static bool TryParse(string? reply, out ulong delivered, out ulong streamSequence) => TryParse(reply, out delivered, out streamSequence, out _);

    /// <summary>Also gives the consumer's pending count after this delivery (the last numeric token).</summary>
    public static bool TryParse(string? reply, out ulong delivered, out ulong streamSequence, out ulong pending) =>
        TryParse(reply, out delivered, out streamSequence, out pending, out _);

    /// <summary>Also gives the message's store time (unix nanoseconds).</summary>
    public static bool TryParse(string? reply, out ulong delivered, out ulong streamSequence, out ulong pending, out long timestamp)
    {
        delivered = 0;
        streamSequence = 0;
        pending = 0;
        timestamp = 0;
        if (reply is null || !reply.StartsWith("$JS.ACK.", StringComparison.Ordinal))
        {
            return false;
        }
        var tokens = reply.Split('.');
        var at = tokens.Length switch
        {
            9 => 4,
            >= 11 => 6,
            _ => -1,
        };
        return at > 0 &&
               ulong.TryParse(tokens[at], NumberStyles.None, CultureInfo.InvariantCulture, out delivered) &&
               ulong.TryParse(tokens[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out streamSequence) &&
               ulong.TryParse(tokens[at + 4], NumberStyles.None, CultureInfo.InvariantCulture, out pending) &&
               long.TryParse(tokens[at + 3], NumberStyles.None, CultureInfo.InvariantCulture, out timestamp);
    }
}
