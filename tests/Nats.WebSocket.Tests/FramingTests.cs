using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nats.Core.Connections;
using Nats.TestSupport;
using Nats.WebSocket.Config;
using Nats.WebSocket.Framing;

namespace Nats.WebSocket.Tests;

/// <summary>The frame rules, each seen from a raw client: what the server sends back and how the stream ends.</summary>
[TestFixture]
public sealed class FramingTests
{
    private static readonly WebSocketOptions Plain = new() { Port = -1, NoTls = true };

    [Test]
    public async Task A_masked_binary_message_is_read_and_the_answer_goes_back_unmasked_in_one_binary_frame()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        await client.SendBinaryAsync("PING\r\n");
        var frame = await client.ReadFrameAsync();
        Assert.That((frame.Final, frame.Compressed, frame.Opcode, Encoding.ASCII.GetString(frame.Payload)), Is.EqualTo((true, false, 2, "PING\r\n")));
    }

    [Test]
    public async Task Fragments_are_reassembled_and_control_frames_between_them_answered()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        await client.SendFrameAsync(1, "SUB "u8, final: false);
        await client.SendFrameAsync(9, "are you there"u8);
        await client.SendFrameAsync(0, "foo "u8, final: false);
        await client.SendFrameAsync(10, "unsolicited"u8);
        await client.SendFrameAsync(0, "1\r\n"u8, final: true);
        // Payload bytes are handed on as they arrive, so the echo and the pong interleave.
        var echoed = new StringBuilder();
        var pongs = new List<string>();
        while (echoed.Length < "SUB foo 1\r\n".Length || pongs.Count == 0)
        {
            var frame = await client.ReadFrameAsync();
            (frame.Opcode == 10 ? (Action)(() => pongs.Add(Encoding.ASCII.GetString(frame.Payload))) : () => echoed.Append(Encoding.ASCII.GetString(frame.Payload)))();
        }
        Assert.That(pongs, Is.EqualTo(new[] { "are you there" }), "one pong, carrying the ping's payload; the unsolicited pong is ignored");
        Assert.That(echoed.ToString(), Is.EqualTo("SUB foo 1\r\n"));
    }

    [Test]
    public async Task A_close_is_echoed_with_its_status_and_reason_and_ends_the_stream()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        var payload = new byte[2 + 3];
        BinaryPrimitives.WriteUInt16BigEndian(payload, 1000);
        "bye"u8.CopyTo(payload.AsSpan(2));
        await client.SendFrameAsync(8, payload);
        var close = await client.ReadFrameAsync();
        Assert.That((close.Opcode, close.CloseStatus, close.CloseReason), Is.EqualTo((8, 1000, "bye")));
        Assert.That(await host.NextOutcomeAsync(), Is.TypeOf<Handshake.WebSocketUpgrade>(), "the stream ended cleanly");
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_close_without_status_is_answered_with_an_empty_close()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        await client.SendFrameAsync(8, ReadOnlySpan<byte>.Empty);
        var close = await client.ReadFrameAsync();
        Assert.That((close.Opcode, close.Payload.Length), Is.EqualTo((8, 0)));
    }

    [Test]
    public async Task A_close_with_an_invalid_utf8_reason_is_answered_with_1007()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        await client.SendFrameAsync(8, new byte[] { 0x03, 0xE8, 0xC3, 0x28 });
        var close = await client.ReadFrameAsync();
        Assert.That((close.CloseStatus, close.CloseReason), Is.EqualTo((1007, "invalid utf8 body in close frame")));
    }

    /// <summary>Frames that break RFC 6455, and nats-server's close text for each (status 1002).</summary>
    public static IEnumerable<TestCaseData> ProtocolErrors()
    {
        yield return Case("unmasked", RawWebSocket.EncodeFrame(2, "x"u8, mask: false), "mask bit missing");
        yield return Case("RSV2", RawWebSocket.EncodeFrame(2, "x"u8, extraBits: 0x20), "RSV2 and RSV3 must be clear");
        yield return Case("RSV3", RawWebSocket.EncodeFrame(2, "x"u8, extraBits: 0x10), "RSV2 and RSV3 must be clear");
        yield return Case("RSV1 without deflate", RawWebSocket.EncodeFrame(2, "x"u8, rsv1: true), "compressed frame received without negotiated permessage-deflate");
        yield return Case("long ping", RawWebSocket.EncodeFrame(9, new byte[126]), "control frame length bigger than maximum allowed of 125 bytes");
        yield return Case("fragmented ping", RawWebSocket.EncodeFrame(9, "x"u8, final: false), "control frame does not have final bit set");
        yield return Case("lone continuation", RawWebSocket.EncodeFrame(0, "x"u8), "invalid continuation frame");
        yield return Case("message inside message", [.. RawWebSocket.EncodeFrame(2, "x"u8, final: false), .. RawWebSocket.EncodeFrame(2, "y"u8)],
            "new message started before final frame for previous message was received");
        yield return Case("opcode 3", RawWebSocket.EncodeFrame(3, "x"u8), "unknown opcode 3");
        yield return Case("opcode 11", RawWebSocket.EncodeFrame(11, "x"u8), "unknown opcode 11");
        yield return Case("one-byte close", RawWebSocket.EncodeFrame(8, new byte[] { 3 }), "close frame payload cannot be 1 byte");
        yield return Case("close 1005", RawWebSocket.EncodeFrame(8, new byte[] { 0x03, 0xED }), "invalid close status code 1005");
        yield return Case("close 999", RawWebSocket.EncodeFrame(8, new byte[] { 0x03, 0xE7 }), "invalid close status code 999");
        yield return Case("close 2000", RawWebSocket.EncodeFrame(8, new byte[] { 0x07, 0xD0 }), "invalid close status code 2000");
        // 64-bit length with the top bit set.
        yield return Case("64-bit length", [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4], "invalid 64-bit payload length");

        static TestCaseData Case(string name, byte[] bytes, string text) => new TestCaseData(bytes, text).SetName("Protocol error: " + name);
    }

    [TestCaseSource(nameof(ProtocolErrors))]
    public async Task A_protocol_error_is_answered_with_1002_and_nats_servers_text_and_the_connection_closed(byte[] bytes, string text)
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        await client.SendRawAsync(bytes);
        var close = await client.ReadCloseAsync();
        Assert.That((close.CloseStatus, close.CloseReason), Is.EqualTo((1002, text)));
        var outcome = await host.NextOutcomeAsync();
        Assert.That(outcome, Is.TypeOf<WebSocketProtocolException>());
        Assert.That(((WebSocketProtocolException)outcome).Message, Is.EqualTo(text));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_frame_over_the_limit_is_refused_from_its_header_alone()
    {
        await using var host = new HandshakeHost(Plain, maxPayload: 1024);   // limit 8 KiB
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        // Announce 100 MB and send none of it: the answer must not wait for the payload.
        var header = new byte[] { 0x82, 0xFF, 0, 0, 0, 0, 0x05, 0xF5, 0xE1, 0x00, 1, 2, 3, 4 };
        await client.SendRawAsync(header);
        var close = await client.ReadCloseAsync();
        Assert.That((close.CloseStatus, close.CloseReason), Is.EqualTo((1009, "Maximum Payload Exceeded")));
    }

    [Test]
    public async Task A_frame_at_the_limit_passes()
    {
        await using var host = new HandshakeHost(Plain, maxPayload: 1024);
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        var payload = new byte[8 * 1024];
        Random.Shared.NextBytes(payload);
        await client.SendFrameAsync(2, payload);
        var received = new List<byte>();
        while (received.Count < payload.Length)
        {
            received.AddRange((await client.ReadFrameAsync()).Payload);
        }
        Assert.That(received.ToArray(), Is.EqualTo(payload));
    }

    [Test]
    public async Task A_browser_gets_frames_of_at_most_4_KiB()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.ConnectAsync(host.Port, "/", "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0");
        var payload = Encoding.ASCII.GetBytes(new string('a', 10_000));
        await client.SendFrameAsync(2, payload);
        var sizes = new List<int>();
        var total = 0;
        while (total < payload.Length)
        {
            var frame = await client.ReadFrameAsync();
            Assert.That((frame.Final, frame.Opcode), Is.EqualTo((true, 2)));
            sizes.Add(frame.Payload.Length);
            total += frame.Payload.Length;
        }
        Assert.That(sizes, Has.All.LessThanOrEqualTo(4096));
        Assert.That(total, Is.EqualTo(payload.Length));
    }

    [Test]
    public async Task Closing_for_a_reason_sends_nats_servers_status_and_text_and_later_writes_fail()
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = new HandshakeHost(Plain, async (stream, _) =>
        {
            await stream.CloseAsync(ClosedReason.MaxPayloadExceeded);
            try
            {
                await stream.WriteAsync("late"u8.ToArray());
                closed.SetResult(null);
            }
            catch (Exception e)
            {
                closed.SetResult(e);
            }
        });
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        var close = await client.ReadFrameAsync();
        Assert.That((close.CloseStatus, close.CloseReason), Is.EqualTo((1009, "Maximum Message Payload Exceeded")));
        Assert.That(await closed.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.InstanceOf<IOException>());
    }

    [Test]
    public async Task Disposing_without_a_reason_says_going_away()
    {
        await using var host = new HandshakeHost(Plain, (_, _) => Task.CompletedTask);
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        var close = await client.ReadFrameAsync();
        Assert.That((close.Opcode, close.CloseStatus), Is.EqualTo((8, 1001)));
    }

    [Test]
    public void Long_close_reasons_are_cut_to_fit_with_dots()
    {
        var inner = new MemoryStream();
        var stream = new WebSocketStream(inner, new WebSocketStreamOptions { LeaveInnerStreamOpen = true });
        stream.CloseAsync(1008, new string('r', 200)).GetAwaiter().GetResult();
        var bytes = inner.ToArray();
        Assert.That(bytes[1], Is.EqualTo(125), "payload length");
        Assert.That(Encoding.ASCII.GetString(bytes, 4, 123), Is.EqualTo(new string('r', 120) + "..."));
    }

    [TestCase(1000, true)]
    [TestCase(1003, true)]
    [TestCase(1004, false)]
    [TestCase(1006, false)]
    [TestCase(1015, false)]
    [TestCase(1016, false)]
    [TestCase(2999, false)]
    [TestCase(3000, true)]
    [TestCase(4999, true)]
    [TestCase(5000, false)]
    public void Received_close_codes_are_checked_as_nats_server_does(int code, bool valid)
    {
        Assert.That(WebSocketCloseStatus.IsValidReceived(code), Is.EqualTo(valid));
    }

    [Test]
    public void Masking_at_every_offset_matches_the_byte_by_byte_definition()
    {
        var key = new byte[] { 0x12, 0x34, 0x56, 0x78 };
        var keyWord = BinaryPrimitives.ReadUInt32LittleEndian(key);
        for (var offset = 0; offset < 4; offset++)
        {
            for (var length = 0; length < 40; length++)
            {
                var data = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
                var expected = data.Select((b, i) => (byte)(b ^ key[(offset + i) & 3])).ToArray();
                var next = FrameHeader.Mask(data, keyWord, offset);
                Assert.That(data, Is.EqualTo(expected), $"offset {offset}, length {length}");
                Assert.That(next, Is.EqualTo((offset + length) & 3));
            }
        }
    }
}
