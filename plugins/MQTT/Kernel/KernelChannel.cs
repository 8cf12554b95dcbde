using System.Buffers;
using System.Threading.Tasks.Sources;

namespace Nats.Mqtt.Kernel;

/// <summary>
/// The in-memory transport between one MQTT connection and the kernel client that stands for
/// it, handed to the kernel as its client's stream: the kernel serves its ordinary client
/// protocol over it (so auth, accounts, permissions, limits and <c>/connz</c> are the kernel's).
/// What the session appends (CONNECT, SUB, UNSUB, PING, PONG) waits in a buffer rented while
/// it is not empty, for the kernel's read; what the kernel writes (INFO, PONG, PING, -ERR) goes
/// straight to <see cref="KernelLink.OnKernelData"/> on the kernel's writer, parsed there.
/// </summary>
/// <remarks>
/// No pipes and no reader task: an idle connection holds the channel object and the kernel's
/// one pending read. Publishes and deliveries do not pass here (<c>PublishFromPlugin</c>,
/// <c>SetDeliveryTarget</c>). The kernel is the only reader: one read at a time, never
/// cancelled (a token passed is not observed); disposing (the kernel closing its client) or
/// <see cref="Complete"/> (the session ending) ends its reads with end of stream.
/// </remarks>
internal sealed class KernelChannel : Stream, IValueTaskSource<int>
{
    private const int MinimumBytes = 256;

    private readonly Lock _lock = new();
    private readonly KernelLink _link;
    private readonly Action _onDisposed;
    private ManualResetValueTaskSourceCore<int> _read = new() { RunContinuationsAsynchronously = true };
    // Bytes for the kernel: _toKernel[_start.._start+_count], rented while not empty.
    private byte[]? _toKernel;
    private int _start;
    private int _count;
    private Memory<byte> _waitingRead;
    private bool _readerWaiting;
    private bool _ended;
    private int _disposed;

    /// <param name="link">Parses what the kernel writes.</param>
    /// <param name="onDisposed">Called once when the kernel lets go of the stream (its client closed).</param>
    public KernelChannel(KernelLink link, Action onDisposed)
    {
        _link = link;
        _onDisposed = onDisposed;
    }

    /// <summary>Queues protocol bytes for the kernel and wakes its read.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        Memory<byte> target = default;
        var complete = false;
        var taken = 0;
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }
            Reserve(data.Length);
            data.CopyTo(_toKernel.AsSpan(_start + _count));
            _count += data.Length;
            if (_readerWaiting)
            {
                _readerWaiting = false;
                complete = true;
                target = _waitingRead;
                _waitingRead = default;
                taken = Take(target.Span);
            }
        }
        if (complete)
        {
            _read.SetResult(taken);
        }
    }

    /// <summary>Ends the session's side: the kernel reads end of stream and closes its client.</summary>
    public void Complete() => End();

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                // A zero-byte read (the kernel waiting while idle) returns once data is there.
                return new ValueTask<int>(Take(buffer.Span));
            }
            if (_ended)
            {
                return new ValueTask<int>(0);
            }
            if (_readerWaiting)
            {
                throw new InvalidOperationException("one read at a time");
            }
            _read.Reset();
            _readerWaiting = true;
            _waitingRead = buffer;
            return new ValueTask<int>(this, _read.Version);
        }
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _disposed) != 0 ? throw new ObjectDisposedException(nameof(KernelChannel)) : _link.OnKernelDataAsync(buffer);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush()
    {
    }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            End();
            _onDisposed();
        }
        base.Dispose(disposing);
    }

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    private void End()
    {
        bool complete;
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }
            _ended = true;
            complete = _readerWaiting;
            _readerWaiting = false;
            _waitingRead = default;
            if (_count == 0)
            {
                ReturnBuffer();
            }
        }
        if (complete)
        {
            _read.SetResult(0);
        }
    }

    // Under the lock: copies what fits into the reader's buffer; the buffer goes back once empty.
    private int Take(Span<byte> target)
    {
        var taken = Math.Min(target.Length, _count);
        _toKernel.AsSpan(_start, taken).CopyTo(target);
        _start += taken;
        _count -= taken;
        if (_count == 0)
        {
            ReturnBuffer();
        }
        return taken;
    }

    // Under the lock: room for count more bytes after what waits.
    private void Reserve(int count)
    {
        if (_toKernel is null)
        {
            _toKernel = ArrayPool<byte>.Shared.Rent(Math.Max(count, MinimumBytes));
            _start = 0;
            return;
        }
        if (_start + _count + count <= _toKernel.Length)
        {
            return;
        }
        var target = _count + count <= _toKernel.Length ? _toKernel : ArrayPool<byte>.Shared.Rent(Math.Max(_toKernel.Length * 2, _count + count));
        _toKernel.AsSpan(_start, _count).CopyTo(target);
        if (!ReferenceEquals(target, _toKernel))
        {
            ArrayPool<byte>.Shared.Return(_toKernel);
            _toKernel = target;
        }
        _start = 0;
    }

    private void ReturnBuffer()
    {
        if (_toKernel is not null)
        {
            ArrayPool<byte>.Shared.Return(_toKernel);
            _toKernel = null;
        }
        _start = 0;
        _count = 0;
    }
}
