using System.Globalization;
using System.Text;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Topics;

namespace Nats.Mqtt.Store;

/// <summary>
/// A retained message as stored in <c>$MQTT_rmsgs</c>, in nats-server's encoding
/// (<c>mqttEncodeRetainedMessage</c>): headers <c>Nmqtt-RTopic</c>, <c>Nmqtt-RFlags</c> (the
/// PUBLISH flags in hex, <c>-</c> first for a clear), <c>Nmqtt-ROrigin</c>, <c>Nmqtt-RSource</c>,
/// the payload as the body. MQTT 5 properties (as the publish's own NATS headers) follow as
/// further headers, which nats-server's decoder ignores.
/// </summary>
internal static class RetainedCodec
{
    private const string Topic = "Nmqtt-RTopic";
    private const string Flags = "Nmqtt-RFlags";
    private const string Origin = "Nmqtt-ROrigin";
    private const string Source = "Nmqtt-RSource";

    /// <summary>The header block to store; <paramref name="publishHeaders"/> is the publish's NATS header block.</summary>
    public static byte[] EncodeHeaders(string topic, int flags, bool clear, string origin, string? source, ReadOnlySpan<byte> publishHeaders)
    {
        var text = new StringBuilder(128);
        text.Append("NATS/1.0\r\n");
        text.Append(Topic).Append(':').Append(topic).Append("\r\n");
        text.Append(Flags).Append(':').Append(clear ? "-" : "").Append(flags.ToString("x", CultureInfo.InvariantCulture)).Append("\r\n");
        text.Append(Origin).Append(':').Append(origin).Append("\r\n");
        if (!string.IsNullOrEmpty(source))
        {
            text.Append(Source).Append(':').Append(source).Append("\r\n");
        }
        AppendExtra(text, publishHeaders);
        text.Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    // The publish's headers but Nmqtt-Pub: its MQTT 5 properties.
    private static void AppendExtra(StringBuilder text, ReadOnlySpan<byte> headers)
    {
        if (headers.IsEmpty)
        {
            return;
        }
        foreach (var line in Encoding.UTF8.GetString(headers).Split("\r\n").Skip(1))
        {
            if (line.Length > 0 && !line.StartsWith("Nmqtt-Pub:", StringComparison.OrdinalIgnoreCase))
            {
                text.Append(line).Append("\r\n");
            }
        }
    }

    /// <summary>Decodes a stored record (subject <c>$MQTT.rmsgs.&lt;subject&gt;</c>); null for a clear or a record it cannot read.</summary>
    public static RetainedMessage? Decode(string storedSubject, ulong sequence, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, out bool clear)
    {
        clear = false;
        if (!storedSubject.StartsWith(StreamNames.RetainedPrefix, StringComparison.Ordinal) ||
            !NatsHeaders.TryGet(headers, Encoding.ASCII.GetBytes(Flags), out var flagsValue))
        {
            return null;
        }
        if (flagsValue.Length > 1 && flagsValue[0] == (byte)'-')
        {
            clear = true;
            flagsValue = flagsValue[1..];
        }
        if (!int.TryParse(Encoding.ASCII.GetString(flagsValue), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags) || flags >= 16 || ((flags >> 1) & 3) > 2)
        {
            return null;
        }
        if (clear || payload.IsEmpty)
        {
            clear = true;
            return null;
        }
        var subject = storedSubject[StreamNames.RetainedPrefix.Length..];
        return new RetainedMessage(sequence, subject, MqttTopics.ToTopic(Encoding.UTF8.GetBytes(subject)), flags, ExtraHeaders(headers), payload.ToArray());
    }

    /// <summary>The stored headers but the <c>Nmqtt-R…</c> ones, as a header block (empty when none).</summary>
    private static byte[] ExtraHeaders(ReadOnlySpan<byte> headers)
    {
        var text = new StringBuilder();
        foreach (var line in Encoding.UTF8.GetString(headers).Split("\r\n").Skip(1))
        {
            if (line.Length > 0 && !line.StartsWith("Nmqtt-R", StringComparison.OrdinalIgnoreCase))
            {
                text.Append(line).Append("\r\n");
            }
        }
        return text.Length == 0 ? [] : Encoding.UTF8.GetBytes("NATS/1.0\r\n" + text + "\r\n");
    }
}
