using System.Buffers;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// A buffer writer over an array rented from the shared pool and given back by
/// <see cref="Release"/>: a connection's output holds memory only while it has something to send.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int MinimumBytes = 256;

    // Larger arrays (a burst to a slow client) are allocated and dropped, not kept by the pool.
    private const int PooledBytes = 1024 * 1024;

    private byte[]? _buffer;
    private int _written;

    /// <summary>Bytes written since the last <see cref="Release"/>.</summary>
    public int WrittenCount => _written;

    /// <summary>What was written.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer is null ? default : _buffer.AsMemory(0, _written);

    /// <inheritdoc />
    public void Advance(int count)
    {
        if (count < 0 || _buffer is null || _written + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written and gives the array back.</summary>
    public void Release()
    {
        if (_buffer is not null)
        {
            Return(_buffer);
            _buffer = null;
        }
        _written = 0;
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = Rent(Math.Max(sizeHint, MinimumBytes));
            return;
        }
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }
        var larger = Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        Return(_buffer);
        _buffer = larger;
    }

    private static byte[] Rent(int size) =>
        size <= PooledBytes ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Return(byte[] buffer)
    {
        if (buffer.Length <= PooledBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
