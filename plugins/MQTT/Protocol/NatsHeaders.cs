using System.Buffers.Text;

namespace Nats.Mqtt.Protocol;

/// <summary>
/// The NATS header block MQTT messages carry (nats-server's <c>mqttNatsHeader</c>):
/// <c>Nmqtt-Pub: &lt;qos&gt;</c> marks a message published by an MQTT client with its QoS, which
/// tells deliveries to QoS 1/2 subscriptions that JetStream brings it instead.
/// </summary>
internal static class NatsHeaders
{
    public static ReadOnlySpan<byte> Version => "NATS/1.0\r\n"u8;
    public static ReadOnlySpan<byte> PubName => "Nmqtt-Pub"u8;

    /// <summary>Set (<c>1</c>) on a message its MQTT publisher sent with RETAIN, for MQTT 5 Retain As Published.</summary>
    public const string RetainName = "Nmqtt-Retain";

    /// <summary>
    /// The publishing client (hash of its client ID), set only while that client has a No Local
    /// subscription, so its own messages are not sent back to it.
    /// </summary>
    public const string SourceName = "Nmqtt-Src";

    /// <summary>The header blocks of a plain MQTT publish, per QoS (no properties to carry).</summary>
    public static readonly byte[][] PlainPublish =
    [
        "NATS/1.0\r\nNmqtt-Pub:0\r\n\r\n"u8.ToArray(),
        "NATS/1.0\r\nNmqtt-Pub:1\r\n\r\n"u8.ToArray(),
        "NATS/1.0\r\nNmqtt-Pub:2\r\n\r\n"u8.ToArray(),
    ];

    /// <summary>Finds header <paramref name="name"/> (case-insensitive) in a NATS header block; false when absent.</summary>
    public static bool TryGet(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (headers.IsEmpty)
        {
            return false;
        }
        var newline = headers.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return false;
        }
        var rest = headers[(newline + 1)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }
            if (System.Text.Ascii.EqualsIgnoreCase(line[..colon].TrimEnd((byte)' '), name))
            {
                value = line[(colon + 1)..].Trim((byte)' ');
                return true;
            }
        }
        return false;
    }

    /// <summary>The QoS an MQTT publisher gave the message (<c>Nmqtt-Pub</c>), or 0.</summary>
    public static int PublishedQos(ReadOnlySpan<byte> headers) =>
        TryGet(headers, PubName, out var value) && value.Length > 0 && value[0] is >= (byte)'0' and <= (byte)'2' ? value[0] - '0' : 0;

    /// <summary>Whether the MQTT publisher set RETAIN (<c>Nmqtt-Retain</c>).</summary>
    public static bool PublishedRetain(ReadOnlySpan<byte> headers) =>
        TryGet(headers, "Nmqtt-Retain"u8, out var value) && value.Length == 1 && value[0] == (byte)'1';

    /// <summary>Whether the message came from the client whose <c>Nmqtt-Src</c> is <paramref name="source"/>.</summary>
    public static bool PublishedBy(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> source) =>
        TryGet(headers, "Nmqtt-Src"u8, out var value) && value.SequenceEqual(source);

    /// <summary>Enumerates the header lines as (name, value) pairs, skipping the version line.</summary>
    public static void ForEach<TState>(ReadOnlySpan<byte> headers, ref TState state, HeaderVisitor<TState> visit)
        where TState : allows ref struct
    {
        var newline = headers.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return;
        }
        var rest = headers[(newline + 1)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }
            var colon = line.IndexOf((byte)':');
            if (colon > 0)
            {
                visit(line[..colon].TrimEnd((byte)' '), line[(colon + 1)..].Trim((byte)' '), ref state);
            }
        }
    }
}

/// <summary>Receives one header line.</summary>
internal delegate void HeaderVisitor<TState>(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ref TState state)
    where TState : allows ref struct;
