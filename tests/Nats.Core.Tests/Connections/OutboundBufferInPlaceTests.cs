using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Nats.Core.Connections;

namespace Nats.Core.Tests.Connections;

/// <summary>
/// Flushing in place (a client's read loop writing to an idle peer itself): done on the
/// calling thread when the socket takes it at once, handed to the writer task when it does
/// not, and never out of order or lost with several producers and the writer task racing.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class OutboundBufferInPlaceTests
{
    [Test]
    public Task A_flush_in_place_to_an_idle_peer_is_written_when_it_returns() =>
        WithBufferAsync(1024 * 1024, async (buffer, peer) =>
        {
            // Appended within a batch that flushes in place, as on a client's read loop: outside
            // one, an append wakes the writer task (FlushBatch.Enlist flushes at once), as the end
            // of a batch that does not flush in place does, and the writer then races this thread
            // for the socket and, winning, sends the next frame itself a moment later.
            var batch = new FlushBatch { FlushesInPlace = true };
            for (var i = 0; i < 100; i++)
            {
                batch.Begin();
                Assert.That(buffer.Append("MSG a 1 3\r\nabc\r\n"u8), Is.EqualTo(AppendResult.Queued));
                buffer.FlushInPlace();
                Assert.That(buffer.PendingBytes, Is.Zero, $"flush {i}: the socket took it on this thread");
                batch.End();
            }
            await ReadExactlyAsync(peer, 100 * 16);
        });

    [Test]
    public Task Flushes_in_place_the_socket_cannot_take_at_once_return_and_the_writer_finishes_them() =>
        WithBufferAsync(64L * 1024 * 1024, async (buffer, peer) =>
        {
            // Small flushes (each sent in place while the socket takes it), far more of them
            // than the socket buffers hold while the peer reads nothing: one send in place
            // finds the socket full and goes to the writer task.
            const int frame = 4000;
            const int frames = 2000;
            var payload = new byte[frame * frames];
            Random.Shared.NextBytes(payload);
            var flushing = Task.Run(() =>
            {
                for (var i = 0; i < frames; i++)
                {
                    Assert.That(buffer.Append(payload.AsSpan(i * frame, frame)), Is.EqualTo(AppendResult.Queued));
                    buffer.FlushInPlace();
                }
            });
            Assert.That(await Task.WhenAny(flushing, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(flushing), "every flush returned without the peer reading");
            await flushing;
            Assert.That(buffer.PendingBytes, Is.GreaterThan(0), "the peer has not read: the socket could not take it all");

            var received = await ReadExactlyAsync(peer, payload.Length);
            Assert.That(received.AsSpan().SequenceEqual(payload), Is.True, "every byte, in order");
        });

    [Test]
    public Task Producers_flushing_in_place_beside_the_writer_lose_and_reorder_nothing() =>
        WithBufferAsync(256L * 1024 * 1024, async (buffer, peer) =>
        {
            const int producers = 4;
            const int framesEach = 20_000;
            const int frameSize = 64;
            var reading = ReadExactlyAsync(peer, producers * framesEach * frameSize);
            // Frames of (producer, sequence); each producer's frames go in one at a time and
            // are flushed in place, in batches of a few, or through the writer task.
            var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
            {
                var frame = new byte[frameSize];
                for (var i = 0; i < framesEach; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(frame, p);
                    BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(4), i);
                    Assert.That(buffer.Append(frame), Is.EqualTo(AppendResult.Queued));
                    if (i % (p + 1) == 0)
                    {
                        if (p == 3)
                        {
                            buffer.Flush();
                        }
                        else
                        {
                            buffer.FlushInPlace();
                        }
                    }
                }
                buffer.FlushInPlace();
            })).ToArray();
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(20));

            var received = await reading;
            var next = new int[producers];
            for (var offset = 0; offset < received.Length; offset += frameSize)
            {
                var p = BinaryPrimitives.ReadInt32LittleEndian(received.AsSpan(offset));
                var sequence = BinaryPrimitives.ReadInt32LittleEndian(received.AsSpan(offset + 4));
                Assert.That(sequence, Is.EqualTo(next[p]), $"producer {p}'s frames in order");
                next[p]++;
            }
            Assert.That(next, Is.All.EqualTo(framesEach));
        });

    [Test]
    public async Task A_close_with_an_error_while_flushing_in_place_still_sends_the_error_last()
    {
        var (server, peer) = await ConnectedPairAsync();
        using var _ = server;
        using var __ = peer;
        var buffer = new OutboundBuffer(new NetworkStream(server), server, maxPending: 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        buffer.Append("PING\r\n"u8);
        buffer.FlushInPlace();
        buffer.Append("-ERR 'x'\r\n"u8);
        buffer.Close(drain: true);
        buffer.FlushInPlace();
        await writer.WaitAsync(TimeSpan.FromSeconds(5));
        var received = await ReadExactlyAsync(peer, 16);
        Assert.That(System.Text.Encoding.ASCII.GetString(received), Is.EqualTo("PING\r\n-ERR 'x'\r\n"));
    }

    [Test]
    public async Task A_write_to_a_peer_that_reset_ends_the_writer_with_false_not_an_exception()
    {
        var (server, peer) = await ConnectedPairAsync();
        using var _ = server;
        var buffer = new OutboundBuffer(new NetworkStream(server), server, maxPending: 64L * 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        // The peer goes away with a reset (linger 0), as a killed client does: the next sends
        // fail, in place or on the writer task, whichever meets the reset first.
        peer.LingerState = new LingerOption(true, 0);
        peer.Close();
        var chunk = new byte[16 * 1024];
        for (var i = 0; i < 1000 && !writer.IsCompleted; i++)
        {
            buffer.Append(chunk);
            if (i % 2 == 0)
            {
                buffer.FlushInPlace();
            }
            else
            {
                buffer.Flush();
            }
            await Task.Delay(1);
        }
        Assert.That(await writer.WaitAsync(TimeSpan.FromSeconds(5)), Is.False, "the writer stopped on the refused write and said so");
    }

    /// <summary>Runs <paramref name="body"/> with a buffer on a connected loopback socket (its writer running) and the peer socket.</summary>
    private static async Task WithBufferAsync(long maxPending, Func<OutboundBuffer, Socket, Task> body)
    {
        var (server, peer) = await ConnectedPairAsync();
        using var _ = server;
        using var __ = peer;
        var buffer = new OutboundBuffer(new NetworkStream(server), server, maxPending);
        var writer = buffer.RunWriterAsync();
        try
        {
            await body(buffer, peer);
        }
        finally
        {
            buffer.Close(drain: false);
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    private static async Task<(Socket Server, Socket Peer)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await peer.ConnectAsync(listener.LocalEndPoint!);
        var server = await listener.AcceptAsync();
        return (server, peer);
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var data = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(data.AsMemory(filled), SocketFlags.None, timeout.Token);
            Assert.That(read, Is.GreaterThan(0), $"the connection ended after {filled} of {count} bytes");
            filled += read;
        }
        return data;
    }
}
