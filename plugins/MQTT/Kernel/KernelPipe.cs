using System.IO.Pipelines;

namespace Nats.Mqtt.Kernel;

/// <summary>
/// The in-memory transport between one MQTT connection and the kernel client that stands for
/// it: the kernel serves its ordinary client protocol over <see cref="KernelSide"/> (so auth,
/// accounts, permissions, limits and <c>/connz</c> are the kernel's), and the MQTT session
/// speaks that protocol on <see cref="Input"/>/<see cref="Output"/>.
/// </summary>
/// <remarks>
/// The pipes pause their writer past <see cref="PauseBytes"/>: an MQTT client that does not read
/// holds up the kernel's writes to it, whose outbound buffer then applies the server's
/// slow-consumer rule, exactly as for a socket.
/// </remarks>
internal sealed class KernelPipe
{
    private const long PauseBytes = 1 << 20;
    // Small segments: an idle pipe keeps its last one, and publishes and deliveries no longer
    // pass here (only CONNECT, SUB, UNSUB, PING, acks and the kernel's answers), so 4 KiB
    // segments (the default) would be two idle 4 KiB buffers per MQTT connection.
    private const int SegmentBytes = 512;
    private static readonly PipeOptions Options = new(pauseWriterThreshold: PauseBytes, resumeWriterThreshold: PauseBytes / 2, minimumSegmentSize: SegmentBytes, useSynchronizationContext: false);

    private readonly Pipe _toKernel = new(Options);
    private readonly Pipe _fromKernel = new(Options);

    public KernelPipe()
    {
        KernelSide = new DuplexStream(_toKernel.Reader.AsStream(), _fromKernel.Writer.AsStream());
    }

    /// <summary>The stream handed to the kernel: it reads what the session writes to <see cref="Output"/>.</summary>
    public Stream KernelSide { get; }

    /// <summary>Where the session writes client protocol (CONNECT, SUB, HPUB…).</summary>
    public PipeWriter Output => _toKernel.Writer;

    /// <summary>Where the session reads what the kernel sends (INFO, MSG, HMSG, PING, -ERR…).</summary>
    public PipeReader Input => _fromKernel.Reader;

    /// <summary>Ends the session side: the kernel sees end of stream and closes its client.</summary>
    public void Complete()
    {
        _toKernel.Writer.Complete();
        _fromKernel.Reader.Complete();
    }

    /// <summary>Reads from one pipe, writes to the other; disposing ends both directions.</summary>
    private sealed class DuplexStream(Stream reader, Stream writer) : Stream
    {
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => reader.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => reader.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => reader.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => writer.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => writer.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => writer.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Flush() => writer.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                reader.Dispose();
                writer.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
