using System.Buffers;

namespace Nats.Mqtt.Protocol;

/// <summary>What <see cref="PacketFraming.TryRead"/> found.</summary>
internal enum FrameStatus
{
    /// <summary>A whole packet.</summary>
    Packet,
    /// <summary>Not enough bytes yet.</summary>
    NeedMore,
    /// <summary>The remaining length runs past its 4 bytes [MQTT-2.2.3].</summary>
    Malformed,
    /// <summary>The packet is larger than the limit.</summary>
    TooLarge,
}

/// <summary>
/// Cuts MQTT packets out of the received bytes: the fixed header byte, the remaining length
/// (a variable byte integer of at most 4 bytes) and that many bytes. The limit is checked on the
/// header, before anything is buffered for the body, so a peer cannot make the server hold more
/// than the limit.
/// </summary>
internal static class PacketFraming
{
    /// <summary>The largest remaining length 4 bytes can express (256 MB - 1).</summary>
    public const int MaxRemainingLength = 268_435_455;

    /// <summary>Reads one packet from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The unread bytes.</param>
    /// <param name="maxPacketSize">The largest whole packet accepted.</param>
    /// <param name="header">The fixed header byte.</param>
    /// <param name="body">The variable header and payload.</param>
    /// <param name="packetSize">The whole packet's size (header, length and body).</param>
    public static FrameStatus TryRead(in ReadOnlySequence<byte> buffer, int maxPacketSize, out byte header, out ReadOnlySequence<byte> body, out int packetSize)
    {
        header = 0;
        body = default;
        packetSize = 0;
        if (buffer.Length < 2)
        {
            return FrameStatus.NeedMore;
        }
        var reader = new SequenceReader<byte>(buffer);
        reader.TryRead(out header);
        var length = 0;
        var multiplier = 1;
        for (var i = 0; ; i++)
        {
            if (i == 4)
            {
                return FrameStatus.Malformed;
            }
            if (!reader.TryRead(out var b))
            {
                return FrameStatus.NeedMore;
            }
            length += (b & 0x7f) * multiplier;
            if ((b & 0x80) == 0)
            {
                break;
            }
            multiplier <<= 7;
        }
        packetSize = (int)reader.Consumed + length;
        if (packetSize > maxPacketSize)
        {
            return FrameStatus.TooLarge;
        }
        if (reader.Remaining < length)
        {
            return FrameStatus.NeedMore;
        }
        body = reader.UnreadSequence.Slice(0, length);
        return FrameStatus.Packet;
    }

    /// <summary>Writes a variable byte integer; returns its size.</summary>
    public static int WriteVariableInt(Span<byte> destination, int value)
    {
        var i = 0;
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            if (value > 0)
            {
                b |= 0x80;
            }
            destination[i++] = b;
        }
        while (value > 0);
        return i;
    }

    /// <summary>The size of <paramref name="value"/> as a variable byte integer.</summary>
    public static int VariableIntSize(int value) => value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}
