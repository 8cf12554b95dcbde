using Nats.Core.Connections;

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
            await WaitUntilAsync(() => stuck.WriteStarted, "the writer to start a write");
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

            // Bounded by the stuck-write rule (50 ms), not by the no-progress one (30 s).
            await buffer.WaitWhileBehindAsync(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30), CancellationToken.None)
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
            await buffer.WaitWhileBehindAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), CancellationToken.None)
                .AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.That(buffer.PendingBytes, Is.LessThanOrEqualTo(1024 * 1024 / 4 * 3 / 2), "waited until drained to half the threshold");
        }
        finally
        {
            buffer.Close(drain: false);
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"timed out waiting for {what}");
            await Task.Delay(5);
        }
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
