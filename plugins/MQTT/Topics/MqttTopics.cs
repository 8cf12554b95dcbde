using System.Text;

namespace Nats.Mqtt.Topics;

/// <summary>
/// MQTT topics and filters to NATS subjects and back, by nats-server's rules
/// (<c>mqtt.go mqttToNATSSubjectConversion</c>, <c>natsSubjectToMQTTTopic</c>): <c>/</c> is the
/// token separator <c>.</c>; a literal <c>.</c> becomes <c>//</c>; an empty level becomes the
/// token <c>/</c> (<c>/a</c> → <c>/.a</c>, <c>a/</c> → <c>a./</c>, <c>a//b</c> → <c>a./.b</c>); in filters
/// <c>+</c> → <c>*</c> and <c>#</c> → <c>&gt;</c>. The mapping is the same on every server, so
/// MQTT clients on nats-server and here see the same subjects.
/// </summary>
internal static class MqttTopics
{
    private const byte Sep = (byte)'/';
    private const byte Dot = (byte)'.';

    /// <summary>Why a topic was refused (nats-server's texts).</summary>
    public const string UnsupportedCharacters = "character not supported for MQTT topics";

    /// <summary>
    /// Converts an MQTT topic (wildcards refused) or filter (<paramref name="wildcardsAllowed"/>) to a
    /// NATS subject. Returns null with <paramref name="error"/> set when the topic cannot be mapped.
    /// </summary>
    public static string? ToSubject(string topic, bool wildcardsAllowed, out string? error)
    {
        error = null;
        var mt = Encoding.UTF8.GetBytes(topic);
        var res = new List<byte>(mt.Length + 10);
        var end = mt.Length - 1;
        for (var i = 0; i < mt.Length; i++)
        {
            var c = mt[i];
            switch (c)
            {
                case Sep:
                    if (i == 0 || res[^1] == Dot)
                    {
                        res.Add(Sep);
                        res.Add(Dot);
                    }
                    else if (i == end || mt[i + 1] == Sep)
                    {
                        res.Add(Dot);
                        res.Add(Sep);
                    }
                    else
                    {
                        res.Add(Dot);
                    }
                    break;
                case (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or 0x7f:
                    error = UnsupportedCharacters;
                    return null;
                case Dot:
                    res.Add(Sep);
                    res.Add(Sep);
                    break;
                case (byte)'+' or (byte)'#':
                    if (!wildcardsAllowed)
                    {
                        error = $"wildcards not allowed in publish's topic: \"{topic}\"";
                        return null;
                    }
                    res.Add(c == (byte)'+' ? (byte)'*' : (byte)'>');
                    break;
                default:
                    res.Add(c);
                    break;
            }
        }
        if (res.Count > 0 && res[^1] == Dot)
        {
            res.Add(Sep);
        }
        return Encoding.UTF8.GetString(res.ToArray());
    }

    /// <summary>Converts a NATS subject back to the MQTT topic (the reverse of <see cref="ToSubject"/>).</summary>
    public static string ToTopic(ReadOnlySpan<byte> subject)
    {
        Span<byte> topic = subject.Length <= 512 ? stackalloc byte[subject.Length] : new byte[subject.Length];
        return Encoding.UTF8.GetString(topic[..ToTopic(subject, topic)]);
    }

    /// <summary>Writes the MQTT topic of <paramref name="subject"/> into <paramref name="topic"/> (at least as long); returns its length.</summary>
    public static int ToTopic(ReadOnlySpan<byte> subject, Span<byte> topic)
    {
        var j = 0;
        var end = subject.Length - 1;
        for (var i = 0; i < subject.Length; i++)
        {
            var c = subject[i];
            switch (c)
            {
                case Sep:
                    if (i < end)
                    {
                        var next = subject[i + 1];
                        if (next == Dot)
                        {
                            topic[j++] = Sep;
                            i++;
                        }
                        else if (next == Sep)
                        {
                            topic[j++] = Dot;
                            i++;
                        }
                    }
                    break;
                case Dot:
                    topic[j++] = Sep;
                    break;
                default:
                    topic[j++] = c;
                    break;
            }
        }
        return j;
    }

    /// <summary>A filter whose subject ends in <c>.&gt;</c> also matches its parent level (<c>a/#</c> matches <c>a</c>): nats-server adds a second subscription.</summary>
    public static bool NeedsLevelUp(string subject) => subject.Length >= 3 && subject.EndsWith(".>", StringComparison.Ordinal);

    /// <summary>Filters starting with a wildcard never match <c>$</c> topics [MQTT-4.7.2-1].</summary>
    public static bool StartsWithWildcard(string filter) => filter.Length > 0 && filter[0] is '#' or '+';

    /// <summary>Subscriptions to the plugin's own subjects are refused (SUBACK 0x80), as nats-server's <c>isMQTTReservedSubscription</c>.</summary>
    public static bool IsReserved(string subject) => subject.StartsWith("$MQTT.", StringComparison.Ordinal);
}
