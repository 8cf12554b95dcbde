using System.Diagnostics;
using Nats.Core.Connections;
using Nats.TestSupport;
using Nats.WebSocket.Framing;

namespace Nats.WebSocket.Tests;

/// <summary>A websocket client that stops reading is cut like a slow TCP client, without stalling anyone else.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SlowConsumerTests
{
    /// <summary>A peer that never takes what is written: writes hang until the stream is disposed.</summary>
    private sealed class StuckPeer : Stream
    {
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Disposed => _disposed.Task;
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _disposed.Task.WaitAsync(cancellationToken);
            return 0;
        }
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _disposed.Task.WaitAsync(cancellationToken);
            throw new IOException("peer gone");
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            _disposed.TrySetResult();
            base.Dispose(disposing);
        }
    }

    [Test]
    public async Task Disposing_never_waits_for_a_write_stuck_on_a_peer_that_does_not_read()
    {
        var peer = new StuckPeer();
        // The close frame waits for the stuck write until the close timeout, then the peer is
        // released: a Dispose that waited for that would return only after the peer's release.
        // No wall-clock bound (a loaded machine may stall the thread for a while either way).
        var stream = new WebSocketStream(peer, new WebSocketStreamOptions { CloseTimeout = TimeSpan.FromSeconds(5) });
        var stuck = stream.WriteAsync(new byte[100]).AsTask();
        stream.OnConnectionClosing(ClosedReason.SlowConsumerWriteDeadline);
        stream.Dispose();
        Assert.That(peer.Disposed.IsCompleted, Is.False, "the kernel's thread is not held until the close gives up");
        await peer.Disposed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(async () => await stuck, Throws.InstanceOf<IOException>());
    }

    [Test]
    public async Task A_websocket_subscriber_that_stops_reading_is_cut_and_the_publisher_goes_on()
    {
        var (server, plugin) = await EndToEndTests.StartAsync("port: -1\nhost: 127.0.0.1\nno_tls: true", "max_pending: 262144\nwrite_deadline: \"1s\"");
        await using var _ = server;
        await using var ws = await RawWebSocket.ConnectAsync(plugin.Port);
        await ws.ReadFrameAsync();
        await ws.SendBinaryAsync("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n");
        await EndToEndTests.ReadUntilAsync(ws, "PONG\r\n");
        // From here the websocket client reads nothing: its socket buffers fill, then the server's queue.

        await using var publisher = await RawClient.ConnectAndHandshakeAsync(server.Port);
        var payload = new string('x', 8192);
        var chunk = string.Concat(Enumerable.Repeat($"PUB flood {payload.Length}\r\n{payload}\r\n", 64));
        var timer = Stopwatch.StartNew();
        while (!server.ClosedClients.Any(c => c.Info.Type == "websocket") && timer.Elapsed < TimeSpan.FromSeconds(30))
        {
            await publisher.SendAsync(chunk);
            await publisher.PingAsync();
        }
        var closed = server.ClosedClients.Single(c => c.Info.Type == "websocket");
        Assert.That(closed.Info.Reason, Does.StartWith("Slow Consumer"));
        // The publisher was never cut nor stalled for good: it still round-trips.
        await publisher.PingAsync();
        Assert.That(server.Clients.Count(c => ReferenceEquals(c.Kind, Nats.Core.Plugins.ConnectionKind.WebSocket)), Is.Zero);
    }
}
