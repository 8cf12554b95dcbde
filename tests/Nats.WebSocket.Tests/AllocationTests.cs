using Nats.TestSupport;
using Nats.WebSocket.Framing;

namespace Nats.WebSocket.Tests;

/// <summary>The per-message paths without compression allocate nothing once warm.</summary>
[TestFixture]
[NonParallelizable]
public sealed class AllocationTests
{
    [Test]
    public async Task Reading_uncompressed_frames_allocates_nothing_per_message()
    {
        var frame = RawWebSocket.EncodeFrame(2, "PUB subject 5\r\nhello\r\n"u8);
        // One read takes every whole frame already buffered (about 130 of these per 4 KB read),
        // so the wire holds enough for the warm-up and the measured reads.
        const int Frames = 200_000;
        var wire = new byte[frame.Length * Frames];
        for (var i = 0; i < Frames; i++)
        {
            frame.CopyTo(wire, i * frame.Length);
        }
        var stream = new WebSocketStream(new ScriptedStream(wire, 1, maxChunk: 16 * 1024), new WebSocketStreamOptions { LeaveInnerStreamOpen = true });
        var buffer = new byte[4096];
        // Warm up (first reads size the state machine's awaiters and the read buffer), then measure.
        for (var i = 0; i < 100; i++)
        {
            // Any amount will do: only the allocations are measured (CA2022).
            _ = await stream.ReadAsync(buffer);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        for (var i = 0; i < 1000; i++)
        {
            total += await stream.ReadAsync(buffer);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(total, Is.GreaterThan(1000 * 3000), "each read takes the whole frames buffered, not one");
        Assert.That(allocated, Is.LessThan(1024), $"{allocated} bytes for 1000 reads");
    }

    [Test]
    public async Task Writing_uncompressed_messages_allocates_nothing_per_message()
    {
        var sink = new ScriptedStream([], 1);
        var stream = new WebSocketStream(sink, new WebSocketStreamOptions { LeaveInnerStreamOpen = true, Browser = true });
        var message = new byte[6000];
        for (var i = 0; i < 100; i++)
        {
            await stream.WriteAsync(message);
        }
        sink.Output.SetLength(0);
        sink.Output.Capacity = 10_000 * 6100;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            await stream.WriteAsync(message);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(sink.Output.Length, Is.GreaterThan(10_000 * 6000));
        Assert.That(allocated, Is.LessThan(1024), $"{allocated} bytes for 10000 writes");
    }
}
