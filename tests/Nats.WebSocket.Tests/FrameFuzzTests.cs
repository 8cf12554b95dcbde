using System.Buffers.Binary;
using System.IO.Compression;
using Nats.TestSupport;
using Nats.WebSocket.Framing;

namespace Nats.WebSocket.Tests;

/// <summary>
/// Random traffic through the read side: valid streams (random sizes, fragmentation, pings,
/// compression, delivery in random pieces) must come out byte-exact; damaged or random input
/// must end in a clean protocol error or end of stream, never another exception or a hang.
/// </summary>
[TestFixture]
public sealed class FrameFuzzTests
{
    // Above the largest random message: nats-server refuses a compressed message inflating past max_payload.
    private const int MaxPayload = 128 * 1024;

    [Test, CancelAfter(60_000)]
    public async Task Random_valid_traffic_comes_out_byte_exact_with_every_ping_answered([Range(0, 59)] int seed)
    {
        var compression = seed % 2 == 0;
        var (wire, expected, pings) = RandomTraffic(new Random(seed), compression);
        var peer = new ScriptedStream(wire, seed);
        var stream = new WebSocketStream(peer, new WebSocketStreamOptions { Compression = compression, MaxPayload = MaxPayload, LeaveInnerStreamOpen = true });
        var received = await ReadAllAsync(stream, wire.Length + expected.Length + 1);
        Assert.That(received, Is.EqualTo(expected));
        var pongs = ParseFrames(peer.Output.ToArray()).Where(f => f.Opcode == 10).Select(f => f.Payload).ToList();
        Assert.That(pongs, Is.EqualTo(pings));
    }

    [Test, CancelAfter(120_000)]
    public async Task Damaged_traffic_ends_in_a_protocol_error_or_the_end_never_anything_else([Range(0, 399)] int seed)
    {
        var random = new Random(seed);
        var (wire, _, _) = RandomTraffic(random, compression: seed % 2 == 0);
        // Flip a few bytes, or cut, or replace a tail with random bytes.
        switch (seed % 3)
        {
            case 0:
                for (var i = 0; i < 1 + random.Next(4); i++)
                {
                    wire[random.Next(wire.Length)] ^= (byte)(1 << random.Next(8));
                }
                break;
            case 1:
                wire = wire[..random.Next(wire.Length)];
                break;
            default:
                var from = random.Next(wire.Length);
                random.NextBytes(wire.AsSpan(from));
                break;
        }
        var stream = new WebSocketStream(new ScriptedStream(wire, seed), new WebSocketStreamOptions { Compression = seed % 2 == 0, MaxPayload = MaxPayload });
        try
        {
            await ReadAllAsync(stream, wire.Length * 2L + 8L * MaxPayload);
        }
        catch (WebSocketProtocolException)
        {
            // the expected way out for damaged input
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task Pure_noise_is_refused_or_ends([Range(0, 199)] int seed)
    {
        var noise = new byte[1 + new Random(seed).Next(4096)];
        new Random(seed).NextBytes(noise);
        var stream = new WebSocketStream(new ScriptedStream(noise, seed), new WebSocketStreamOptions { Compression = true, MaxPayload = 1024 });
        try
        {
            await ReadAllAsync(stream, noise.Length * 2L + 8 * 1024);
        }
        catch (WebSocketProtocolException)
        {
        }
    }

    [Test]
    public async Task A_compressed_message_inflating_past_max_payload_is_refused_with_1009()
    {
        var bomb = Deflate(new byte[1024 * 1024]);   // 1 MiB of zeros: about a kilobyte compressed
        var wire = RawWebSocket.EncodeFrame(2, bomb, rsv1: true);
        var peer = new ScriptedStream(wire, 1);
        var stream = new WebSocketStream(peer, new WebSocketStreamOptions { Compression = true, MaxPayload = 64 * 1024, LeaveInnerStreamOpen = true });
        var error = Assert.ThrowsAsync<WebSocketProtocolException>(async () => await ReadAllAsync(stream, long.MaxValue));
        Assert.That(error!.Status, Is.EqualTo(WebSocketCloseStatus.MessageTooBig));
        var close = ParseFrames(peer.Output.ToArray()).Single();
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(close.Payload), Is.EqualTo(1009));
    }

    [Test]
    public async Task Corrupt_compressed_data_is_refused_with_1007()
    {
        var wire = RawWebSocket.EncodeFrame(2, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, rsv1: true);
        var stream = new WebSocketStream(new ScriptedStream(wire, 1), new WebSocketStreamOptions { Compression = true });
        var error = Assert.ThrowsAsync<WebSocketProtocolException>(async () => await ReadAllAsync(stream, long.MaxValue));
        Assert.That(error!.Status, Is.EqualTo(WebSocketCloseStatus.InvalidPayloadData));
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void Written_messages_decode_to_what_was_written(bool compression, bool browser)
    {
        var random = new Random(7);
        var peer = new ScriptedStream([], 1);
        var stream = new WebSocketStream(peer, new WebSocketStreamOptions { Compression = compression, Browser = browser, LeaveInnerStreamOpen = true });
        var written = new List<byte[]>();
        foreach (var size in new[] { 1, 64, 65, 4096, 4097, 20_000, 100_000 })
        {
            var message = new byte[size];
            // Half text-like (compressible), half random.
            for (var i = 0; i < size; i++)
            {
                message[i] = random.Next(2) == 0 ? (byte)'a' : (byte)random.Next(256);
            }
            stream.Write(message);
            written.Add(message);
        }
        var frames = ParseFrames(peer.Output.ToArray());
        var messages = new List<byte[]>();
        var current = new List<byte>();
        var compressed = false;
        foreach (var frame in frames)
        {
            Assert.That(frame.Masked, Is.False, "a server never masks");
            if (frame.Opcode != 0)
            {
                compressed = frame.Rsv1;
            }
            else
            {
                Assert.That(frame.Rsv1, Is.False, "RSV1 only on a message's first frame");
            }
            if (browser)
            {
                Assert.That(frame.Payload.Length, Is.LessThanOrEqualTo(4096));
            }
            current.AddRange(frame.Payload);
            if (frame.Final)
            {
                messages.Add(compressed ? Inflate([.. current]) : [.. current]);
                current.Clear();
            }
        }
        // Uncompressed browser writes are split into whole messages: compare the byte streams.
        Assert.That(messages.SelectMany(m => m).ToArray(), Is.EqualTo(written.SelectMany(m => m).ToArray()));
        if (compression)
        {
            Assert.That(frames.Where(f => f.Opcode == 2).Select(f => f.Rsv1), Is.EqualTo(new[] { false, false, true, true, true, true, true }),
                "nothing of 64 bytes or less is compressed");
        }
    }

    /// <summary>Random messages framed as a client would (masked), with pings between frames.</summary>
    private static (byte[] Wire, byte[] Payload, List<byte[]> Pings) RandomTraffic(Random random, bool compression)
    {
        var wire = new MemoryStream();
        var payload = new MemoryStream();
        var pings = new List<byte[]>();
        var messages = random.Next(1, 12);
        for (var m = 0; m < messages; m++)
        {
            var size = random.Next(3) switch { 0 => random.Next(0, 130), 1 => random.Next(0, 70_000), _ => random.Next(0, 5000) };
            var message = new byte[size];
            if (random.Next(2) == 0)
            {
                random.NextBytes(message);
            }
            else
            {
                message.AsSpan().Fill((byte)'x');
            }
            payload.Write(message);
            var compress = compression && size > 0 && random.Next(2) == 0;
            var body = compress ? Deflate(message) : message;
            var fragments = Math.Min(random.Next(1, 5), Math.Max(1, body.Length));
            var offset = 0;
            for (var f = 0; f < fragments; f++)
            {
                var length = f == fragments - 1 ? body.Length - offset : random.Next(0, body.Length - offset + 1);
                var opcode = f == 0 ? 1 + random.Next(2) : 0;
                wire.Write(RawWebSocket.EncodeFrame(opcode, body.AsSpan(offset, length), final: f == fragments - 1, rsv1: compress && f == 0));
                offset += length;
                if (random.Next(4) == 0)
                {
                    var ping = new byte[random.Next(0, 126)];
                    random.NextBytes(ping);
                    pings.Add(ping);
                    wire.Write(RawWebSocket.EncodeFrame(9, ping));
                }
            }
        }
        return (wire.ToArray(), payload.ToArray(), pings);
    }

    /// <summary>Reads until the end; the bound on bytes makes a read loop that produces without consuming fail rather than hang.</summary>
    private static async Task<byte[]> ReadAllAsync(WebSocketStream stream, long bound)
    {
        var all = new MemoryStream();
        var buffer = new byte[7919];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
            Assert.That(all.Length, Is.LessThanOrEqualTo(bound), "more output than the input can hold");
        }
        return all.ToArray();
    }

    private static byte[] Deflate(byte[] data)
    {
        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(data);
            deflate.Flush();
        }
        // RFC 7692: drop the 00 00 FF FF of the sync flush (and the final block Dispose added after it).
        var bytes = output.ToArray();
        var tail = bytes.AsSpan().LastIndexOf(new byte[] { 0, 0, 0xFF, 0xFF });
        return bytes[..tail];
    }

    private static byte[] Inflate(byte[] data)
    {
        using var input = new MemoryStream([.. data, 0, 0, 0xFF, 0xFF, 1, 0, 0, 0xFF, 0xFF]);
        using var inflate = new DeflateStream(input, CompressionMode.Decompress);
        var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }

    private readonly record struct ParsedFrame(bool Final, bool Rsv1, int Opcode, bool Masked, byte[] Payload);

    private static List<ParsedFrame> ParseFrames(byte[] bytes)
    {
        var frames = new List<ParsedFrame>();
        var position = 0;
        while (position < bytes.Length)
        {
            var b0 = bytes[position];
            var b1 = bytes[position + 1];
            long length = b1 & 0x7F;
            position += 2;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position));
                position += 2;
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(position));
                position += 8;
            }
            var masked = (b1 & 0x80) != 0;
            Assert.That(masked, Is.False);
            frames.Add(new((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0F, masked, bytes.AsSpan(position, (int)length).ToArray()));
            position += (int)length;
        }
        return frames;
    }
}
