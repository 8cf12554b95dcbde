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
    public async Task A_flush_in_place_to_an_idle_peer_is_written_when_it_returns()
    {
        var (server, peer) = await ConnectedPairAsync();
        using var _ = server;
        using var __ = peer;
        var buffer = new OutboundBuffer(new NetworkStream(server), server, maxPending: 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        try
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.That(buffer.Append("MSG a 1 3\r\nabc\r\n"u8), Is.EqualTo(AppendResult.Queued));
                buffer.FlushInPlace();
                Assert.That(buffer.PendingBytes, Is.Zero, $"flush {i}: the socket took it on this thread");
            }
            await ReadExactlyAsync(peer, 100 * 16);
        }
        finally
        {
            buffer.Close(drain: false);
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Test]
    public async Task A_flush_in_place_the_socket_cannot_take_at_once_returns_and_the_writer_finishes_it()
    {
        var (server, peer) = await ConnectedPairAsync();
        using var _ = server;
        using var __ = peer;
        // Far more than the socket buffers hold while the peer reads nothing.
        const int size = 8 * 1024 * 1024;
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        var buffer = new OutboundBuffer(new NetworkStream(server), server, maxPending: 64L * 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        try
        {
            Assert.That(buffer.Append(payload), Is.EqualTo(AppendResult.Queued));
            var flush = Task.Run(buffer.FlushInPlace);
            Assert.That(await Task.WhenAny(flush, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(flush), "the flush returned without the peer reading");
            Assert.That(buffer.PendingBytes, Is.GreaterThan(0), "the peer has not read: the socket could not take it all");

            var received = await ReadExactlyAsync(peer, size);
            Assert.That(received.AsSpan().SequenceEqual(payload), Is.True, "every byte, in order");
        }
        finally
        {
            buffer.Close(drain: false);
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Test]
    public async Task Producers_flushing_in_place_beside_the_writer_lose_and_reorder_nothing()
    {
        var (server, peer) = await ConnectedPairAsync();
        using var _ = server;
        using var __ = peer;
        const int producers = 4;
        const int framesEach = 20_000;
        const int frameSize = 64;
        var buffer = new OutboundBuffer(new NetworkStream(server), server, maxPending: 256L * 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        try
        {
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
        }
        finally
        {
            buffer.Close(drain: false);
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

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
