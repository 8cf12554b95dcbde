using System.Buffers;
using System.Diagnostics;

namespace Nats.Core.Connections;

/// <summary>The result of queueing bytes for a peer.</summary>
internal enum AppendResult : byte
{
    Queued,
    Closed,
    SlowConsumer,
}

/// <summary>
/// A connection's outbound side: producers on any thread append complete protocol frames;
/// one writer task sends everything queued in one write. Two buffers swap, so producers keep
/// filling one while the other is on the wire.
/// </summary>
/// <remarks>
/// Producers never wait for the peer. When the queued bytes would exceed max_pending the
/// append fails with <see cref="AppendResult.SlowConsumer"/> and the owner closes the
/// connection; a stuck reader therefore costs healthy publishers nothing. Buffers go back
/// to the pool whenever the connection is idle, so idle connections hold no output memory.
/// </remarks>
internal sealed class OutboundBuffer : IFlushable
{
    private const int InitialSize = 4096;

    private readonly Lock _lock = new();
    private readonly AsyncSignal _signal = new();
    private readonly Stream _stream;
    private byte[]? _filling;
    private int _fillingLength;
    private long _queuedBytes;
    private long _maxPending;
    private bool _closed;
    private bool _drainThenStop;
    private int _flushEnlisted;
    private long _writeStartedTimestamp;

    public OutboundBuffer(Stream stream, long maxPending)
    {
        _stream = stream;
        _maxPending = maxPending;
    }

    /// <summary>Bytes queued and not yet written (what max_pending limits).</summary>
    public long PendingBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>Limit of <see cref="PendingBytes"/>; may change on reload.</summary>
    public long MaxPending
    {
        get => Volatile.Read(ref _maxPending);
        set => Volatile.Write(ref _maxPending, value);
    }

    /// <summary>When the write in progress started (Stopwatch ticks), or 0 when none is.</summary>
    public long WriteStartedTimestamp => Volatile.Read(ref _writeStartedTimestamp);

    /// <summary>Total bytes written to the peer.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Queues one frame made of up to four parts (parts may be empty).</summary>
    public AppendResult Append(
        ReadOnlySpan<byte> part1,
        ReadOnlySpan<byte> part2 = default,
        ReadOnlySpan<byte> part3 = default,
        ReadOnlySpan<byte> part4 = default)
    {
        var length = part1.Length + part2.Length + part3.Length + part4.Length;
        lock (_lock)
        {
            if (_closed)
            {
                return AppendResult.Closed;
            }
            if (_queuedBytes + length > _maxPending)
            {
                return AppendResult.SlowConsumer;
            }
            var destination = Reserve(length);
            part1.CopyTo(destination);
            destination = destination[part1.Length..];
            part2.CopyTo(destination);
            destination = destination[part2.Length..];
            part3.CopyTo(destination);
            part4.CopyTo(destination[part3.Length..]);
            _fillingLength += length;
            _queuedBytes += length;
        }
        if (Interlocked.Exchange(ref _flushEnlisted, 1) == 0)
        {
            FlushBatch.Enlist(this);
        }
        return AppendResult.Queued;
    }

    /// <inheritdoc />
    public void Flush()
    {
        Volatile.Write(ref _flushEnlisted, 0);
        _signal.Set();
    }

    /// <summary>
    /// Stops accepting frames. With <paramref name="drain"/> the writer first sends what is
    /// queued (an -ERR before a close, say); otherwise queued output is dropped.
    /// </summary>
    public void Close(bool drain)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _drainThenStop = drain;
            if (!drain)
            {
                ReturnFilling();
            }
        }
        _signal.Set();
    }

    /// <summary>The writer: runs until <see cref="Close"/>, sending whatever is queued.</summary>
    public async Task RunWriterAsync()
    {
        byte[]? spare = null;
        try
        {
            while (true)
            {
                await _signal.WaitAsync();
                while (true)
                {
                    byte[] buffer;
                    int length;
                    lock (_lock)
                    {
                        if (_fillingLength == 0 || (_closed && !_drainThenStop))
                        {
                            if (_closed)
                            {
                                return;
                            }
                            break;
                        }
                        buffer = _filling!;
                        length = _fillingLength;
                        _filling = spare;
                        _fillingLength = 0;
                        spare = null;
                    }

                    Volatile.Write(ref _writeStartedTimestamp, Stopwatch.GetTimestamp());
                    await _stream.WriteAsync(buffer.AsMemory(0, length));
                    Volatile.Write(ref _writeStartedTimestamp, 0);
                    BytesWritten += length;

                    lock (_lock)
                    {
                        _queuedBytes -= length;
                        if (_fillingLength > 0)
                        {
                            spare = buffer;
                            continue;
                        }
                    }
                    // Idle: give the memory back so idle connections cost nothing.
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                if (spare is not null)
                {
                    ArrayPool<byte>.Shared.Return(spare);
                    spare = null;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _writeStartedTimestamp, 0);
            if (spare is not null)
            {
                ArrayPool<byte>.Shared.Return(spare);
            }
            lock (_lock)
            {
                _closed = true;
                ReturnFilling();
            }
        }
    }

    private Span<byte> Reserve(int length)
    {
        var required = _fillingLength + length;
        if (_filling is null)
        {
            _filling = ArrayPool<byte>.Shared.Rent(Math.Max(InitialSize, required));
        }
        else if (_filling.Length < required)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_filling.Length * 2, required));
            _filling.AsSpan(0, _fillingLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_filling);
            _filling = larger;
        }
        return _filling.AsSpan(_fillingLength, length);
    }

    private void ReturnFilling()
    {
        if (_filling is not null)
        {
            ArrayPool<byte>.Shared.Return(_filling);
            _filling = null;
        }
        _fillingLength = 0;
    }
}
