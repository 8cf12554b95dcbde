using System.Buffers;
using System.Buffers.Text;
using System.Text;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Nats.Mqtt.Protocol;

/// <summary>
/// Builds the NATS header block of an MQTT 5 PUBLISH: <c>Nmqtt-Pub</c>, each user property as a
/// header of its own (so NATS clients read them as headers), and the properties NATS has no field
/// for under <c>Nmqtt-</c> names: content type, correlation data (base64), payload format. The
/// message expiry interval becomes <c>Nats-TTL</c>, the per-message TTL JetStream honours.
/// One per thread (<see cref="ForThread"/>): <see cref="Build"/> returns a copy, so nothing
/// outlives the call and an idle connection holds no buffer for it.
/// </summary>
internal sealed class HeaderBuilder
{
    [ThreadStatic]
    private static HeaderBuilder? s_forThread;

    /// <summary>The calling thread's builder.</summary>
    public static HeaderBuilder ForThread => s_forThread ??= new HeaderBuilder();

    public const string ContentType = "Nmqtt-Content-Type";
    public const string CorrelationData = "Nmqtt-Correlation-Data";
    public const string PayloadFormat = "Nmqtt-Payload-Format";
    public const string Ttl = "Nats-TTL";

    private ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>The header block: QoS, RETAIN (<c>Nmqtt-Retain</c>), the publisher when No Local needs it (<c>Nmqtt-Src</c>), the MQTT 5 properties.</summary>
    public byte[] Build(int qos, bool retain, string? source, MqttPublishPacket? properties)
    {
        if (_buffer.Capacity > 64 * 1024)
        {
            // Grown for one large property set: not kept by the thread.
            _buffer = new ArrayBufferWriter<byte>(256);
        }
        _buffer.ResetWrittenCount();
        Append("NATS/1.0\r\nNmqtt-Pub:");
        Append(((char)('0' + qos)).ToString());
        Append("\r\n");
        if (retain)
        {
            Line(NatsHeaders.RetainName, "1");
        }
        if (source is not null)
        {
            Line(NatsHeaders.SourceName, source);
        }
        if (properties is not null)
        {
            AppendProperties(properties);
        }
        Append("\r\n");
        return _buffer.WrittenSpan.ToArray();
    }

    private void AppendProperties(MqttPublishPacket properties)
    {
        if (properties.UserProperties is { } users)
        {
            foreach (var property in users)
            {
                // A header name cannot hold ':' or whitespace and no line may break: such properties cannot travel as headers.
                var value = property.ReadValueAsString();
                if (ValidName(property.Name) && ValidValue(value))
                {
                    Line(property.Name, value);
                }
            }
        }
        if (properties.ContentType is { } contentType && ValidValue(contentType))
        {
            Line(ContentType, contentType);
        }
        if (properties.CorrelationData is { } correlation)
        {
            Line(CorrelationData, Convert.ToBase64String(correlation));
        }
        if (properties.PayloadFormatIndicator == MqttPayloadFormatIndicator.CharacterData)
        {
            Line(PayloadFormat, "1");
        }
        if (properties.MessageExpiryInterval > 0)
        {
            Line(Ttl, properties.MessageExpiryInterval.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s");
        }
    }

    private void Line(string name, string value)
    {
        Append(name);
        Append(":");
        Append(value);
        Append("\r\n");
    }

    private void Append(string text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        Encoding.UTF8.GetBytes(text, _buffer.GetSpan(count));
        _buffer.Advance(count);
    }

    private static bool ValidName(string name) => name.Length > 0 && name.AsSpan().IndexOfAny(": \t\r\n") < 0;

    private static bool ValidValue(string value) => value.AsSpan().IndexOfAny('\r', '\n') < 0;
}
