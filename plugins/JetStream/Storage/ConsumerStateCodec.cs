using System.Buffers.Binary;
using System.IO.Hashing;

namespace Nats.JetStream.Storage;

/// <summary>
/// The consumer state file: <c>"NJSC" | version u8 | varints…| xxh3 u64</c>. Varints: ack floor
/// (consumer, stream), delivered (consumer, stream), pending count then per pending the stream
/// sequence and consumer sequence as deltas from the floors and the delivery time, redelivered
/// count then per entry the stream sequence delta and the count.
/// </summary>
internal static class ConsumerStateCodec
{
    private static ReadOnlySpan<byte> Magic => "NJSC"u8;
    private const byte Version = 1;

    public static byte[] Encode(ConsumerState state)
    {
        var buffer = new byte[64 + state.Pending.Count * 30 + state.Redelivered.Count * 20];
        Magic.CopyTo(buffer);
        buffer[4] = Version;
        var at = 5;
        Put(buffer, ref at, state.AckFloorConsumer);
        Put(buffer, ref at, state.AckFloorStream);
        Put(buffer, ref at, state.DeliveredConsumer);
        Put(buffer, ref at, state.DeliveredStream);
        Put(buffer, ref at, (ulong)state.Pending.Count);
        foreach (var (sseq, p) in state.Pending)
        {
            Put(buffer, ref at, sseq - state.AckFloorStream);
            Put(buffer, ref at, p.ConsumerSeq - state.AckFloorConsumer);
            Put(buffer, ref at, (ulong)p.Timestamp);
        }
        Put(buffer, ref at, (ulong)state.Redelivered.Count);
        foreach (var (sseq, count) in state.Redelivered)
        {
            Put(buffer, ref at, sseq - state.AckFloorStream);
            Put(buffer, ref at, count);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(at), XxHash3.HashToUInt64(buffer.AsSpan(0, at)));
        return buffer[..(at + 8)];
    }

    /// <summary>Decodes a state file; null when it is damaged.</summary>
    public static ConsumerState? Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 13 || !data[..4].SequenceEqual(Magic) || data[4] != Version)
        {
            return null;
        }
        if (XxHash3.HashToUInt64(data[..^8]) != BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]))
        {
            return null;
        }
        var body = data[..^8];
        var at = 5;
        var ok = true;
        ulong Next(ReadOnlySpan<byte> d)
        {
            var value = Get(d, ref at, ref ok);
            return value;
        }
        var state = new ConsumerState
        {
            AckFloorConsumer = Next(body),
            AckFloorStream = Next(body),
            DeliveredConsumer = Next(body),
            DeliveredStream = Next(body),
        };
        var pending = Next(body);
        for (ulong i = 0; ok && i < pending; i++)
        {
            var sseq = Next(body) + state.AckFloorStream;
            var cseq = Next(body) + state.AckFloorConsumer;
            var ts = (long)Next(body);
            state.Pending[sseq] = new PendingDelivery(cseq, ts);
        }
        var redelivered = Next(body);
        for (ulong i = 0; ok && i < redelivered; i++)
        {
            var sseq = Next(body) + state.AckFloorStream;
            state.Redelivered[sseq] = Next(body);
        }
        return ok ? state : null;
    }

    private static void Put(byte[] buffer, ref int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[at++] = (byte)value;
    }

    private static ulong Get(ReadOnlySpan<byte> data, ref int at, ref bool ok)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= data.Length)
            {
                ok = false;
                return 0;
            }
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        ok = false;
        return 0;
    }
}
