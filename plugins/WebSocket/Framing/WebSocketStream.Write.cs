using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Nats.Core.Security;

namespace Nats.WebSocket.Framing;

// The write side: every buffer written is one binary message, as nats-server frames what a
// flush of its outbound buffer holds. All of it is guarded by _writeLock.
public sealed partial class WebSocketStream
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Where a message is framed: grows up to KeptWriteBufferSize and stays; a larger message (a
    // batch of queued output can be 1 MB) is framed in a pooled array given back after its write.
    private const int KeptWriteBufferSize = 128 * 1024;
    private byte[] _keptWriteBuffer = new byte[4096];
    private byte[] _writeBuffer;
    // A batch to compress or cut into browser frames, gathered into one span first.
    private byte[] _gatherBuffer = [];
    private MemoryStream? _compressOutput;
    private volatile bool _closeSent;

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Sends <paramref name="data"/> as one binary message. Fails once a close frame was sent.</summary>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (data.IsEmpty)
        {
            return;
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                throw new IOException("websocket connection is closed");
            }
            var length = FrameMessage(data.Span);
            await _inner.WriteAsync(_writeBuffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseWriteBuffer();
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Sends <paramref name="buffers"/> (the kernel writer's batch) as one binary message with one
    /// write, as nats-server frames what one flush of its outbound buffer holds.
    /// </summary>
    public async ValueTask WriteAsync(IReadOnlyList<ArraySegment<byte>> buffers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        if (buffers.Count == 1)
        {
            await WriteAsync(buffers[0].AsMemory(), cancellationToken).ConfigureAwait(false);
            return;
        }
        long total = 0;
        foreach (var buffer in buffers)
        {
            total += buffer.Count;
        }
        if (total == 0)
        {
            return;
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                throw new IOException("websocket connection is closed");
            }
            var length = FrameMessage(buffers, (int)total);
            await _inner.WriteAsync(_writeBuffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseWriteBuffer();
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public override void Flush() => _inner.Flush();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    /// <summary>
    /// Sends a close frame with <paramref name="status"/> and <paramref name="reason"/> (cut to
    /// fit 125 bytes with a trailing "...", as nats-server does), once. Later writes fail.
    /// </summary>
    public Task CloseAsync(ushort status, string reason, CancellationToken cancellationToken = default)
    {
        var body = Encoding.UTF8.GetBytes(reason);
        if (body.Length > MaxControlPayload - 2)
        {
            body = [.. body.AsSpan(0, MaxControlPayload - 5), .. "..."u8];
        }
        var payload = new byte[2 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, status);
        body.CopyTo(payload, 2);
        return SendCloseFrameAsync(payload, cancellationToken).AsTask();
    }

    private async ValueTask SendCloseFrameAsync(byte[] payload, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                return;
            }
            _closeSent = true;
            await WriteControlLockedAsync(WebSocketOpcode.Close, payload, cancellationToken).ConfigureAwait(false);
            await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends a ping or pong (nothing once the close frame went out).</summary>
    private async ValueTask SendControlAsync(WebSocketOpcode opcode, byte[] payload, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_closeSent)
            {
                await WriteControlLockedAsync(opcode, payload, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private ValueTask WriteControlLockedAsync(WebSocketOpcode opcode, byte[] payload, CancellationToken cancellationToken)
    {
        var frame = new byte[FrameHeader.MaxSize + payload.Length];
        var n = WriteFrame(frame, opcode, final: true, compressed: false, payload);
        return _inner.WriteAsync(frame.AsMemory(0, n), cancellationToken);
    }

    /// <summary>
    /// Frames the buffers as one message into _writeBuffer; returns the byte count. A plain
    /// message is copied straight behind its header; one to compress or to cut into browser-sized
    /// frames is first gathered into one span.
    /// </summary>
    private int FrameMessage(IReadOnlyList<ArraySegment<byte>> buffers, int total)
    {
        if ((_options.Compression && total > PerMessageDeflate.CompressThreshold) || _options.Browser)
        {
            if (_gatherBuffer.Length < total)
            {
                _gatherBuffer = new byte[Math.Max(total, _gatherBuffer.Length * 2)];
            }
            var gathered = 0;
            foreach (var buffer in buffers)
            {
                buffer.AsSpan().CopyTo(_gatherBuffer.AsSpan(gathered));
                gathered += buffer.Count;
            }
            return FrameMessage(_gatherBuffer.AsSpan(0, total));
        }
        EnsureWriteBuffer(total + FrameHeader.MaxSize);
        Span<byte> key = stackalloc byte[4];
        if (_options.MaskOutput)
        {
            SecureRandom.Fill(key);
        }
        else
        {
            key = [];
        }
        var written = FrameHeader.Write(_writeBuffer, WebSocketOpcode.Binary, final: true, compressed: false, total, key);
        var body = _writeBuffer.AsSpan(written, total);
        var copied = 0;
        foreach (var buffer in buffers)
        {
            buffer.AsSpan().CopyTo(body[copied..]);
            copied += buffer.Count;
        }
        if (_options.MaskOutput)
        {
            FrameHeader.Mask(body, BinaryPrimitives.ReadUInt32LittleEndian(key), 0);
        }
        return written + total;
    }

    /// <summary>Frames one message into _writeBuffer; returns the byte count.</summary>
    private int FrameMessage(ReadOnlySpan<byte> data)
    {
        var compress = _options.Compression && data.Length > PerMessageDeflate.CompressThreshold;
        var fragment = _options.Browser ? WebSocketStreamOptions.BrowserFrameSize : int.MaxValue;
        ReadOnlySpan<byte> payload = data;
        if (compress)
        {
            _compressOutput ??= new MemoryStream();
            PerMessageDeflate.Compress(data, _compressOutput);
            payload = _compressOutput.GetBuffer().AsSpan(0, (int)_compressOutput.Length);
            if (_options.NoCompressedFragments)
            {
                fragment = int.MaxValue;
            }
        }
        var frames = Math.Max(1, (payload.Length + fragment - 1) / fragment);
        EnsureWriteBuffer(payload.Length + frames * FrameHeader.MaxSize);
        var written = 0;
        var first = true;
        do
        {
            var chunk = payload[..Math.Min(fragment, payload.Length)];
            payload = payload[chunk.Length..];
            if (compress)
            {
                // One message in fragments: only the first frame carries the opcode and RSV1.
                written += WriteFrame(_writeBuffer.AsSpan(written), first ? WebSocketOpcode.Binary : WebSocketOpcode.Continuation,
                    final: payload.IsEmpty, compressed: first, chunk);
            }
            else
            {
                // Uncompressed: nats-server sends each piece as a whole message of its own.
                written += WriteFrame(_writeBuffer.AsSpan(written), WebSocketOpcode.Binary, final: true, compressed: false, chunk);
            }
            first = false;
        }
        while (!payload.IsEmpty);
        return written;
    }

    private void EnsureWriteBuffer(int needed)
    {
        if (needed <= _writeBuffer.Length)
        {
            return;
        }
        if (needed > KeptWriteBufferSize)
        {
            _writeBuffer = ArrayPool<byte>.Shared.Rent(needed);
            return;
        }
        _keptWriteBuffer = _writeBuffer = new byte[Math.Min(KeptWriteBufferSize, Math.Max(needed, _writeBuffer.Length * 2))];
    }

    private void ReleaseWriteBuffer()
    {
        if (!ReferenceEquals(_writeBuffer, _keptWriteBuffer))
        {
            ArrayPool<byte>.Shared.Return(_writeBuffer);
            _writeBuffer = _keptWriteBuffer;
        }
    }

    /// <summary>Writes header and payload (masked when we are the client side); returns the length.</summary>
    private int WriteFrame(Span<byte> destination, WebSocketOpcode opcode, bool final, bool compressed, ReadOnlySpan<byte> payload)
    {
        Span<byte> key = stackalloc byte[4];
        if (_options.MaskOutput)
        {
            SecureRandom.Fill(key);
        }
        else
        {
            key = [];
        }
        var n = FrameHeader.Write(destination, opcode, final, compressed, payload.Length, key);
        var body = destination.Slice(n, payload.Length);
        payload.CopyTo(body);
        if (_options.MaskOutput)
        {
            FrameHeader.Mask(body, BinaryPrimitives.ReadUInt32LittleEndian(key), 0);
        }
        return n + payload.Length;
    }
}
