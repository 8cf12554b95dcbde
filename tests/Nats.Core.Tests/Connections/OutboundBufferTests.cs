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

    /// <summary>A write-only stream that counts what it is given.</summary>
    private sealed class CountingStream : Stream
    {
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Interlocked.Add(ref _written, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _written, buffer.Length);
            return ValueTask.CompletedTask;
        }
    }
}
