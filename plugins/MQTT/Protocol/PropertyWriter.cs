using System.Buffers.Binary;
using System.Text;

namespace Nats.Mqtt.Protocol;

/// <summary>Appends MQTT 5 properties of an outbound PUBLISH to a reusable buffer (one per connection).</summary>
internal sealed class PropertyWriter
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Reset() => Length = 0;

    public void Byte(byte id, byte value)
    {
        var span = Reserve(2);
        span[0] = id;
        span[1] = value;
    }

    public void UInt16(byte id, ushort value)
    {
        var span = Reserve(3);
        span[0] = id;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], value);
    }

    public void UInt32(byte id, uint value)
    {
        var span = Reserve(5);
        span[0] = id;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], value);
    }

    public void VariableInt(byte id, int value)
    {
        var span = Reserve(1 + PacketFraming.VariableIntSize(value));
        span[0] = id;
        PacketFraming.WriteVariableInt(span[1..], value);
    }

    public void Binary(byte id, ReadOnlySpan<byte> value)
    {
        var span = Reserve(3 + value.Length);
        span[0] = id;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value.Length);
        value.CopyTo(span[3..]);
    }

    public void String(byte id, string value) => Binary(id, Encoding.UTF8.GetBytes(value));

    public void Pair(byte id, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var span = Reserve(5 + name.Length + value.Length);
        span[0] = id;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)name.Length);
        name.CopyTo(span[3..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[(3 + name.Length)..], (ushort)value.Length);
        value.CopyTo(span[(5 + name.Length)..]);
    }

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }
        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
