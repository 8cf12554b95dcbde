using System.Buffers.Binary;
using System.Text;

namespace Nats.Mqtt.Protocol;

/// <summary>
/// Appends MQTT 5 properties of an outbound PUBLISH to a reusable buffer. One per thread
/// (<see cref="ForThread"/>), not per connection: the properties are written and copied into the
/// packet within one call, and an idle connection then holds no buffer for them.
/// </summary>
internal sealed class PropertyWriter
{
    // A buffer that grew for one large packet is not kept by the thread past this.
    private const int KeptBytes = 64 * 1024;

    [ThreadStatic]
    private static PropertyWriter? s_forThread;

    private byte[] _buffer = new byte[256];

    /// <summary>The calling thread's writer, reset; what it wrote is valid until the thread's next use.</summary>
    public static PropertyWriter ForThread
    {
        get
        {
            var writer = s_forThread ??= new PropertyWriter();
            if (writer._buffer.Length > KeptBytes)
            {
                writer._buffer = new byte[256];
            }
            writer.Reset();
            return writer;
        }
    }

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
