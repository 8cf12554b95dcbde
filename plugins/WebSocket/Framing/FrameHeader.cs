using System.Buffers.Binary;

namespace Nats.WebSocket.Framing;

/// <summary>Writes RFC 6455 frame headers (nats-server's <c>wsFillFrameHeader</c>).</summary>
internal static class FrameHeader
{
    /// <summary>The largest header: 2 bytes, 8 of extended length, 4 of mask key.</summary>
    public const int MaxSize = 14;

    public const byte FinalBit = 0x80;
    public const byte Rsv1Bit = 0x40;
    public const byte Rsv2Bit = 0x20;
    public const byte Rsv3Bit = 0x10;
    public const byte MaskBit = 0x80;

    /// <summary>Writes a header into <paramref name="destination"/>; returns its length. With <paramref name="maskKey"/>, the mask bit and key are added.</summary>
    public static int Write(Span<byte> destination, WebSocketOpcode opcode, bool final, bool compressed, long length, ReadOnlySpan<byte> maskKey)
    {
        var b0 = (byte)opcode;
        if (final)
        {
            b0 |= FinalBit;
        }
        if (compressed)
        {
            b0 |= Rsv1Bit;
        }
        var b1 = maskKey.IsEmpty ? (byte)0 : MaskBit;
        destination[0] = b0;
        int n;
        if (length <= 125)
        {
            destination[1] = (byte)(b1 | length);
            n = 2;
        }
        else if (length < 65536)
        {
            destination[1] = (byte)(b1 | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
            n = 4;
        }
        else
        {
            destination[1] = (byte)(b1 | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)length);
            n = 10;
        }
        if (!maskKey.IsEmpty)
        {
            maskKey.CopyTo(destination[n..]);
            n += 4;
        }
        return n;
    }

    /// <summary>XORs <paramref name="data"/> with the key, starting at key offset <paramref name="keyOffset"/>; returns the next offset.</summary>
    public static int Mask(Span<byte> data, uint key, int keyOffset)
    {
        // Rotate the key so that byte 0 of data meets key byte keyOffset, then go 4 bytes at a time.
        var rotated = keyOffset == 0 ? key : (key >> (8 * keyOffset)) | (key << (32 - 8 * keyOffset));
        var i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            var word = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            BinaryPrimitives.WriteUInt32LittleEndian(data[i..], word ^ rotated);
        }
        for (; i < data.Length; i++)
        {
            data[i] ^= (byte)(rotated >> (8 * (i & 3)));
        }
        return (keyOffset + data.Length) & 3;
    }
}
