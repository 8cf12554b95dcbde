using System.Buffers;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace Nats.Mqtt.Protocol;

/// <summary>
/// MQTTnet's packet formatters, one encoder and one decoder per protocol version and thread
/// rather than per connection: encoding and decoding run within one call (the packet is copied
/// into the connection's output before the next use), so an idle connection holds none of
/// their buffers.
/// </summary>
internal static class MqttFormatters
{
    // Buffer writers grow for a large packet and are cut back to KeptBytes on cleanup.
    private const int InitialBytes = 256;
    private const int KeptBytes = 16 * 1024;

    [ThreadStatic]
    private static MqttPacketFormatterAdapter? s_encoder311;
    [ThreadStatic]
    private static MqttPacketFormatterAdapter? s_encoder5;
    [ThreadStatic]
    private static MqttPacketFormatterAdapter? s_decoder311;
    [ThreadStatic]
    private static MqttPacketFormatterAdapter? s_decoder5;

    /// <summary>Encodes <paramref name="packet"/> and appends it to <paramref name="output"/>.</summary>
    public static void Encode(bool v5, MqttPacket packet, IBufferWriter<byte> output)
    {
        var encoder = v5 ? s_encoder5 ??= Create(MqttProtocolVersion.V500) : s_encoder311 ??= Create(MqttProtocolVersion.V311);
        try
        {
            var buffer = encoder.Encode(packet);
            output.Write(buffer.Packet.AsSpan());
            foreach (var segment in buffer.Payload)
            {
                output.Write(segment.Span);
            }
        }
        finally
        {
            encoder.Cleanup();
        }
    }

    /// <summary>Decodes a packet whose body is in <paramref name="received"/> (which the packet may reference).</summary>
    public static MqttPacket Decode(bool v5, ReceivedMqttPacket received)
    {
        var decoder = v5 ? s_decoder5 ??= Create(MqttProtocolVersion.V500) : s_decoder311 ??= Create(MqttProtocolVersion.V311);
        return decoder.Decode(received);
    }

    private static MqttPacketFormatterAdapter Create(MqttProtocolVersion version) =>
        new(version, new MqttBufferWriter(InitialBytes, KeptBytes));
}
