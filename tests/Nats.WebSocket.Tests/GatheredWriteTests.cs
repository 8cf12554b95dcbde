using Nats.Core.Connections;
using Nats.WebSocket.Framing;

namespace Nats.WebSocket.Tests;

/// <summary>
/// The kernel's writer hands a batch of queued output in several buffers
/// (<see cref="IGatheredWriteStream"/>): it goes out as one binary message with one write to the
/// transport, and a peer reads back exactly the bytes given.
/// </summary>
[TestFixture]
public sealed class GatheredWriteTests
{
    private static ArraySegment<byte>[] Batch()
    {
        var random = new Random(7);
        return [.. new[] { 4096, 65536, 1000, 17 }.Select(size =>
        {
            var bytes = new byte[size + 10];
            random.NextBytes(bytes);
            return new ArraySegment<byte>(bytes, 5, size);
        })];
    }

    private static byte[] Concat(ArraySegment<byte>[] batch) => [.. batch.SelectMany(segment => segment)];

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_batch_is_one_message_read_back_byte_exact(bool masked)
    {
        var sink = new ScriptedStream([], 1);
        var writer = new WebSocketStream(sink, new WebSocketStreamOptions { LeaveInnerStreamOpen = true, MaskOutput = masked });
        var batch = Batch();
        await ((IGatheredWriteStream)writer).WriteAsync(batch);

        var wire = sink.Output.ToArray();
        var expected = Concat(batch);
        // One final binary frame with a 64-bit length (the batch is over 64 KB), then the body.
        Assert.That(wire[0], Is.EqualTo(0x82));
        Assert.That(wire[1] & 0x7F, Is.EqualTo(127));
        Assert.That((wire[1] & 0x80) != 0, Is.EqualTo(masked));
        Assert.That(wire, Has.Length.EqualTo(2 + 8 + (masked ? 4 : 0) + expected.Length));

        var reader = new WebSocketStream(new ScriptedStream(wire, 2), new WebSocketStreamOptions { LeaveInnerStreamOpen = true, RequireMaskedInput = masked });
        var read = new byte[expected.Length];
        var total = 0;
        while (total < read.Length)
        {
            var n = await reader.ReadAsync(read.AsMemory(total));
            Assert.That(n, Is.GreaterThan(0), "ended early");
            total += n;
        }
        Assert.That(read, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_browser_batch_is_cut_into_4_KiB_messages_in_order()
    {
        var sink = new ScriptedStream([], 1);
        var writer = new WebSocketStream(sink, new WebSocketStreamOptions { LeaveInnerStreamOpen = true, Browser = true });
        var batch = Batch();
        await ((IGatheredWriteStream)writer).WriteAsync(batch);

        var expected = Concat(batch);
        var reader = new WebSocketStream(new ScriptedStream(sink.Output.ToArray(), 3), new WebSocketStreamOptions { LeaveInnerStreamOpen = true, RequireMaskedInput = false });
        var read = new byte[expected.Length];
        var total = 0;
        while (total < read.Length)
        {
            var n = await reader.ReadAsync(read.AsMemory(total));
            Assert.That(n, Is.GreaterThan(0), "ended early");
            total += n;
        }
        Assert.That(read, Is.EqualTo(expected));
        var frames = (expected.Length + WebSocketStreamOptions.BrowserFrameSize - 1) / WebSocketStreamOptions.BrowserFrameSize;
        Assert.That(sink.Output.Length, Is.EqualTo(expected.Length + frames * 4L), "4 KiB frames with 4-byte headers");
    }
}
