using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Nats.Core.Connections;
using Nats.TestSupport;

namespace Nats.Core.Tests.Connections;

/// <summary>The outbound writer sends everything a flush covers, however large.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class OutboundBufferTests
{
    [TestCase(1_000_000)]
    [TestCase(3_500_000)]
    public async Task A_flush_larger_than_one_write_is_sent_whole(int size)
    {
        var sink = new CountingStream();
        var buffer = new OutboundBuffer(sink, socket: null, maxPending: 64L * 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        try
        {
            // One large frame: more full chunks than one write takes, its tail in the chunk
            // being filled. No later output comes to push that tail out.
            Assert.That(buffer.Append("MSG big 1 0\r\n"u8, new byte[size], "\r\n"u8), Is.EqualTo(AppendResult.Queued));
            buffer.Flush();
            var expected = 13 + size + 2;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (sink.Written < expected && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
            Assert.That(sink.Written, Is.EqualTo(expected), "bytes written after one flush");
        }
        finally
        {
            buffer.Close(drain: false);
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Test]
    public async Task A_producer_stops_waiting_for_a_peer_that_takes_no_write_while_others_do()
    {
        var stuck = new StuckStream();
        var buffer = new OutboundBuffer(stuck, socket: null, maxPending: 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        var healthy = new OutboundBuffer(new CountingStream(), socket: null, maxPending: 1024 * 1024);
        var healthyWriter = healthy.RunWriterAsync();
        using var stop = new CancellationTokenSource();
        try
        {
            // Past the pressure threshold (75% of max_pending), the peer taking nothing.
            Assert.That(buffer.Append(new byte[800 * 1024]), Is.EqualTo(AppendResult.Queued));
            buffer.Flush();
            await Eventually.TrueAsync(() => stuck.WriteStarted, "the writer to start a write");
            // Another peer keeps taking writes: the machine runs, the stuck reader does not read.
            var others = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    healthy.Append("MSG x 1 0\r\n\r\n"u8);
                    healthy.Flush();
                    await Task.Delay(1);
                }
            });

            // Bounded by the stuck-write rule (50 ms), not by the one for a peer that took something (30 s).
            await buffer.WaitWhileBehindAsync(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30), [buffer, healthy], CancellationToken.None)
                .AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(buffer.PendingBytes, Is.EqualTo(800 * 1024), "nothing was written");
            stop.Cancel();
            await others.WaitAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            stop.Cancel();
            buffer.Close(drain: false);
            healthy.Close(drain: false);
            stuck.Release();
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
            await healthyWriter.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Test]
    public async Task A_producer_waits_for_a_slow_peer_that_keeps_taking_writes()
    {
        var slow = new SlowStream(TimeSpan.FromMilliseconds(150));
        var buffer = new OutboundBuffer(slow, socket: null, maxPending: 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        try
        {
            Assert.That(buffer.Append(new byte[800 * 1024]), Is.EqualTo(AppendResult.Queued));
            buffer.Flush();
            // Draining to half the threshold takes at least seven 64 KB writes of 150 ms each:
            // longer in all than the 1 s stuck-write bound, though no single write comes near it.
            await buffer.WaitWhileBehindAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), [buffer], CancellationToken.None)
                .AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.That(buffer.PendingBytes, Is.LessThanOrEqualTo(1024 * 1024 / 4 * 3 / 2), "waited until drained to half the threshold");
        }
        finally
        {
            buffer.Close(drain: false);
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Test]
    [Platform("Linux")]
    public async Task A_producer_keeps_waiting_for_a_paused_peer_while_no_other_peer_it_feeds_progresses()
    {
        // A healthy reader whose process is descheduled (here: it pauses) looks like a stuck one
        // but for its past: it read (its TCP stack acknowledged) megabytes. With nobody else the
        // producer feeds progressing, waiting holds nobody back, while giving up would cut it at max_pending.
        var (reader, accepted) = await ConnectedPairAsync(receiveBuffer: 4096);
        var buffer = new OutboundBuffer(new NetworkStream(accepted), accepted, maxPending: 64L * 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        // Another peer that completes writes, but is not one the producer feeds.
        var unrelated = new OutboundBuffer(new CountingStream(), socket: null, maxPending: 1024 * 1024);
        var unrelatedWriter = unrelated.RunWriterAsync();
        using var stop = new CancellationTokenSource();
        var others = Task.CompletedTask;
        try
        {
            // 2 MB read: more than any receive buffer of a reader that never reads acknowledges.
            Assert.That(buffer.Append(new byte[2 * 1024 * 1024]), Is.EqualTo(AppendResult.Queued));
            buffer.Flush();
            Assert.That(await ReadAsync(reader, 2 * 1024 * 1024), Is.EqualTo(2 * 1024 * 1024));

            // The reader pauses; 12 MB: past the 4 MB threshold (the cap) with our kernel's buffer full.
            for (var i = 0; i < 192; i++)
            {
                Assert.That(buffer.Append(new byte[64 * 1024]), Is.EqualTo(AppendResult.Queued));
            }
            others = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    unrelated.Append("MSG x 1 0\r\n\r\n"u8);
                    unrelated.Flush();
                    await Task.Delay(1);
                }
            });
            var wait = buffer.WaitWhileBehindAsync(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), [buffer], CancellationToken.None).AsTask();
            buffer.Flush();
            // Far longer than both bounds: before, a wall-clock bound gave up here.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.That(wait.IsCompleted, Is.False, "the producer still waits for the paused peer");

            var drained = ReadAsync(reader, 12 * 1024 * 1024);
            await wait.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(buffer.PendingBytes, Is.LessThanOrEqualTo(4 * 1024 * 1024 / 2), "waited until drained to half the threshold");
            Assert.That(await drained.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(12 * 1024 * 1024));
        }
        finally
        {
            stop.Cancel();
            await others.WaitAsync(TimeSpan.FromSeconds(5));
            buffer.Close(drain: false);
            unrelated.Close(drain: false);
            accepted.Dispose();
            reader.Dispose();
            await writer.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            await unrelatedWriter.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Test]
    [Platform("Linux")]
    public async Task A_producer_keeps_waiting_for_a_paused_peer_while_only_a_peer_that_never_read_takes_writes()
    {
        // As above, but the producer also feeds a subscriber that never reads, whose writes our
        // kernel's send buffer still takes: no live peer the wait holds back. Counted as one, it
        // gave up the paused reader (cut at max_pending: SlowConsumerTests under load).
        var (reader, accepted) = await ConnectedPairAsync(receiveBuffer: 4096);
        var buffer = new OutboundBuffer(new NetworkStream(accepted), accepted, maxPending: 64L * 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        var (neverReads, stuckAccepted) = await ConnectedPairAsync(receiveBuffer: 4096);
        stuckAccepted.SendBufferSize = 1024 * 1024; // room for every write below
        var stuck = new OutboundBuffer(new NetworkStream(stuckAccepted), stuckAccepted, maxPending: 64L * 1024 * 1024);
        var stuckWriter = stuck.RunWriterAsync();
        using var stop = new CancellationTokenSource();
        var others = Task.CompletedTask;
        try
        {
            Assert.That(buffer.Append(new byte[2 * 1024 * 1024]), Is.EqualTo(AppendResult.Queued));
            buffer.Flush();
            Assert.That(await ReadAsync(reader, 2 * 1024 * 1024), Is.EqualTo(2 * 1024 * 1024));

            for (var i = 0; i < 192; i++)
            {
                Assert.That(buffer.Append(new byte[64 * 1024]), Is.EqualTo(AppendResult.Queued));
            }
            var stuckWrites = 0;
            others = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    stuck.Append("MSG x 1 0\r\n\r\n"u8);
                    stuck.Flush();
                    Interlocked.Increment(ref stuckWrites);
                    await Task.Delay(1);
                }
            });
            var wait = buffer.WaitWhileBehindAsync(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), [buffer, stuck], CancellationToken.None).AsTask();
            buffer.Flush();
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.That(wait.IsCompleted, Is.False, "the producer still waits for the paused peer");
            // The premise (the never-reading peer's writes complete): sampled while the appender
            // runs, its last 13 bytes may be queued but not yet written, so stop it and let its
            // writer finish before looking.
            stop.Cancel();
            await others.WaitAsync(TimeSpan.FromSeconds(5));
            var settled = Stopwatch.StartNew();
            while (stuck.PendingBytes != 0 && settled.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(10);
            }
            Assert.That(stuck.PendingBytes, Is.Zero, $"the peer that never reads took every write ({Volatile.Read(ref stuckWrites)})");
            Assert.That(wait.IsCompleted, Is.False, "the producer still waits for the paused peer");

            var drained = ReadAsync(reader, 12 * 1024 * 1024);
            await wait.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(await drained.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(12 * 1024 * 1024));
        }
        finally
        {
            stop.Cancel();
            await others.WaitAsync(TimeSpan.FromSeconds(5));
            buffer.Close(drain: false);
            stuck.Close(drain: false);
            accepted.Dispose();
            reader.Dispose();
            stuckAccepted.Dispose();
            neverReads.Dispose();
            await writer.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            await stuckWriter.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Test]
    public async Task A_peer_that_took_a_write_since_it_fell_behind_is_not_given_up_as_soon_as_one_that_took_none()
    {
        var live = new GateStream(permits: 1);
        var buffer = new OutboundBuffer(live, socket: null, maxPending: 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        var healthy = new OutboundBuffer(new CountingStream(), socket: null, maxPending: 1024 * 1024);
        var healthyWriter = healthy.RunWriterAsync();
        using var stop = new CancellationTokenSource();
        var others = Task.CompletedTask;
        try
        {
            // Past the threshold before any write; the producer's wait (writes then go one 64 KB
            // chunk at a time) begins before the flush, so the peer takes one chunk and then pauses.
            Assert.That(buffer.Append(new byte[800 * 1024]), Is.EqualTo(AppendResult.Queued));
            var wait = buffer.WaitWhileBehindAsync(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30), [buffer, healthy], CancellationToken.None).AsTask();
            buffer.Flush();
            await Eventually.TrueAsync(() => live.WritesStarted > 1, "the second write to start");
            Assert.That(buffer.PendingBytes, Is.EqualTo(800 * 1024 - 64 * 1024), "one chunk was taken");
            others = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    healthy.Append("MSG x 1 0\r\n\r\n"u8);
                    healthy.Flush();
                    await Task.Delay(1);
                }
            });

            // Far longer than the 10 ms for a peer that took nothing, while another peer progresses.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.That(wait.IsCompleted, Is.False, "the producer still waits for the peer that took a write");

            live.Open();
            await wait.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(buffer.PendingBytes, Is.LessThanOrEqualTo(1024 * 1024 / 4 * 3 / 2), "waited until drained to half the threshold");
        }
        finally
        {
            stop.Cancel();
            await others.WaitAsync(TimeSpan.FromSeconds(5));
            buffer.Close(drain: false);
            healthy.Close(drain: false);
            live.Open();
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
            await healthyWriter.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    [Platform("Linux")]
    public async Task A_reader_that_never_reads_counts_as_taking_nothing_while_our_kernel_still_takes_its_writes(bool othersProgress)
    {
        // The stuck peer's writer lagged: its queue passed the threshold before our kernel's
        // send buffer (megabytes on loopback) was full, so writes kept completing after that.
        // Progress is what the peer acknowledges, which stops with its 4 KB receive buffer.
        // Alone (nobody else the producer feeds progresses) it is given up as soon: a reader
        // that never read is not waited for until write_deadline.
        var (reader, accepted) = await ConnectedPairAsync(receiveBuffer: 4096);
        var buffer = new OutboundBuffer(new NetworkStream(accepted), accepted, maxPending: 64L * 1024 * 1024);
        var writer = buffer.RunWriterAsync();
        var healthy = new OutboundBuffer(new CountingStream(), socket: null, maxPending: 1024 * 1024);
        var healthyWriter = healthy.RunWriterAsync();
        using var stop = new CancellationTokenSource();
        var others = Task.CompletedTask;
        try
        {
            // 8 MB: past the 4 MB threshold (the cap), and more than our kernel takes beyond half of it.
            for (var i = 0; i < 128; i++)
            {
                Assert.That(buffer.Append(new byte[64 * 1024]), Is.EqualTo(AppendResult.Queued));
            }
            others = Task.Run(async () =>
            {
                while (othersProgress && !stop.IsCancellationRequested)
                {
                    healthy.Append("MSG x 1 0\r\n\r\n"u8);
                    healthy.Flush();
                    await Task.Delay(1);
                }
            });
            var wait = buffer.WaitWhileBehindAsync(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30), [buffer, healthy], CancellationToken.None).AsTask();
            buffer.Flush();

            // Given up by the 10 ms rule once our kernel is full, not after 30 s.
            await wait.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(buffer.PendingBytes, Is.GreaterThan(2 * 1024 * 1024), "given up, not drained to half the threshold");
            Assert.That(buffer.PendingBytes, Is.LessThan(8 * 1024 * 1024), "our kernel took writes after the threshold");
        }
        finally
        {
            stop.Cancel();
            await others.WaitAsync(TimeSpan.FromSeconds(5));
            buffer.Close(drain: false);
            healthy.Close(drain: false);
            accepted.Dispose();
            reader.Dispose();
            await writer.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            await healthyWriter.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>A loopback connection: the reading end (with the given receive buffer) and the server's end.</summary>
    private static async Task<(Socket Reader, Socket Accepted)> ConnectedPairAsync(int receiveBuffer)
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var reader = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBuffer };
        await reader.ConnectAsync(listener.LocalEndPoint!);
        return (reader, await listener.AcceptAsync());
    }

    /// <summary>Reads <paramref name="count"/> bytes (fewer when the peer closes); returns how many.</summary>
    private static async Task<int> ReadAsync(Socket socket, int count)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        while (total < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, count - total)));
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    /// <summary>A peer that never takes a write (until released at the end of the test).</summary>
    private sealed class StuckStream : WriteOnlyStream
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _writeStarted;

        public bool WriteStarted => _writeStarted;

        public void Release() => _released.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _writeStarted = true;
            await _released.Task;
        }
    }

    /// <summary>A peer that takes the first <c>permits</c> writes, then none until opened.</summary>
    private sealed class GateStream(int permits) : WriteOnlyStream
    {
        private readonly SemaphoreSlim _permits = new(permits);
        private int _writesStarted;

        public int WritesStarted => Volatile.Read(ref _writesStarted);

        public void Open() => _permits.Release(1_000_000);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writesStarted);
            await _permits.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A peer that takes every write, each after a delay.</summary>
    private sealed class SlowStream(TimeSpan delay) : WriteOnlyStream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            await Task.Delay(delay, cancellationToken);
    }

    /// <summary>The members of a write-only stream that the writer never calls.</summary>
    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A write-only stream that counts what it is given.</summary>
    private sealed class CountingStream : WriteOnlyStream
    {
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public override void Write(byte[] buffer, int offset, int count) => Interlocked.Add(ref _written, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _written, buffer.Length);
            return ValueTask.CompletedTask;
        }
    }
}
