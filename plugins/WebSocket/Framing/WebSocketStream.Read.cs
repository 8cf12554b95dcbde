using System.Buffers.Binary;
using System.Text;

namespace Nats.WebSocket.Framing;

// The read side: RFC 6455 frame parsing with nats-server's checks, in its order and words.
// Everything here belongs to the single reader. Every loop consumes peer bytes or ends.
public sealed partial class WebSocketStream
{
    private const int ReadBufferSize = 16 * 1024;
    // A busy peer's reads fill the buffer: it grows to this once, so one read takes what the
    // socket holds (nats-server reads up to 64 KB too) rather than a system call per 16 KB.
    private const int MaxReadBufferSize = 64 * 1024;
    private const int MaxControlPayload = 125;

    private byte[] _readBuffer = new byte[ReadBufferSize];
    private int _readStart;
    private int _readEnd;

    // The data frame being read.
    private bool _inDataFrame;
    private long _frameRemaining;
    private bool _frameFinal;
    private bool _frameMasked;
    private uint _maskKey;
    private int _maskOffset;

    // The message being read (it may span frames).
    private bool _messageOpen;
    private bool _messageCompressed;
    private byte[] _compressed = [];
    private int _compressedLength;
    private byte[] _inflated = [];
    private int _inflatedStart;
    private int _inflatedEnd;

    private bool _readClosed;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// Reads payload bytes of the peer's data messages. Returns 0 at the end: the peer's close
    /// frame (answered first) or the connection ending. A protocol error sends the close frame
    /// nats-server sends and throws <see cref="WebSocketProtocolException"/>.
    /// </summary>
    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            if (_inflatedStart < _inflatedEnd)
            {
                var n = Math.Min(destination.Length, _inflatedEnd - _inflatedStart);
                _inflated.AsSpan(_inflatedStart, n).CopyTo(destination.Span);
                _inflatedStart += n;
                return n;
            }
            if (_readClosed)
            {
                return 0;
            }
            if (!_inDataFrame)
            {
                if (!await ReadFrameHeaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    _readClosed = true;
                }
                continue;
            }
            if (_frameRemaining == 0)
            {
                await EndDataFrameAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (_readStart == _readEnd && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                _readClosed = true;   // the connection ended inside a frame
                continue;
            }
            if (!_messageCompressed)
            {
                return await ReadUncompressedAsync(destination, cancellationToken).ConfigureAwait(false);
            }
            AppendCompressed((int)Math.Min(_readEnd - _readStart, _frameRemaining));
        }
    }

    /// <summary>
    /// Copies the uncompressed frame being read into <paramref name="destination"/>, then goes
    /// on with the next frames while their headers and bytes are already buffered: one read of
    /// the caller takes what one socket read brought, not one frame (a publisher's frames of a
    /// few KB each would otherwise each be parsed, routed and flushed to subscribers on their own).
    /// </summary>
    private async ValueTask<int> ReadUncompressedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (true)
        {
            var n = (int)Math.Min(Math.Min(_readEnd - _readStart, _frameRemaining), destination.Length - filled);
            var target = destination.Span.Slice(filled, n);
            _readBuffer.AsSpan(_readStart, n).CopyTo(target);
            Unmask(target);
            _readStart += n;
            _frameRemaining -= n;
            filled += n;
            if (_frameRemaining == 0)
            {
                await EndDataFrameAsync(cancellationToken).ConfigureAwait(false);
            }
            if (filled == destination.Length || _readStart == _readEnd || !(_inDataFrame || NextFrameIsBufferedPlainData()))
            {
                return filled;
            }
            if (!_inDataFrame && (!await ReadFrameHeaderAsync(cancellationToken).ConfigureAwait(false) || !_inDataFrame))
            {
                return filled;
            }
        }
    }

    /// <summary>
    /// True when the next frame's whole header is buffered and it is an uncompressed data frame
    /// that <see cref="ReadFrameHeaderAsync"/> accepts without a protocol error, so reading it
    /// does no I/O and cannot fail (an error is left for the caller's next read).
    /// </summary>
    private bool NextFrameIsBufferedPlainData()
    {
        var buffered = _readBuffer.AsSpan(_readStart, _readEnd - _readStart);
        if (buffered.Length < 2)
        {
            return false;
        }
        var b0 = buffered[0];
        var b1 = buffered[1];
        var opcode = (WebSocketOpcode)(b0 & 0x0F);
        var masked = (b1 & FrameHeader.MaskBit) != 0;
        var valid = (b0 & (FrameHeader.Rsv1Bit | FrameHeader.Rsv2Bit | FrameHeader.Rsv3Bit)) == 0 &&
            (masked || !_options.RequireMaskedInput) &&
            (_messageOpen ? opcode == WebSocketOpcode.Continuation : opcode is WebSocketOpcode.Binary or WebSocketOpcode.Text);
        long length = b1 & 0x7F;
        var headerLength = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (!valid || buffered.Length < headerLength)
        {
            return false;
        }
        length = length switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(buffered[2..]),
            127 => (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(buffered[2..]), (ulong)long.MaxValue),
            _ => length,
        };
        return length <= _maxFrameLength;
    }

    private void Unmask(Span<byte> data)
    {
        if (_frameMasked)
        {
            _maskOffset = FrameHeader.Mask(data, _maskKey, _maskOffset);
        }
    }

    // Compressed messages are held whole (they can only be inflated whole); bounded by the frame limit.
    private void AppendCompressed(int count)
    {
        var needed = _compressedLength + count;
        if (needed > _compressed.Length)
        {
            Array.Resize(ref _compressed, (int)Math.Min(_maxFrameLength, Math.Max(needed, Math.Max(4096L, _compressed.Length * 2L))));
        }
        var target = _compressed.AsSpan(_compressedLength, count);
        _readBuffer.AsSpan(_readStart, count).CopyTo(target);
        Unmask(target);
        _compressedLength += count;
        _readStart += count;
        _frameRemaining -= count;
    }

    private async ValueTask EndDataFrameAsync(CancellationToken cancellationToken)
    {
        _inDataFrame = false;
        if (!_frameFinal)
        {
            return;
        }
        _messageOpen = false;
        if (!_messageCompressed)
        {
            return;
        }
        _messageCompressed = false;
        var compressedLength = _compressedLength;
        _compressedLength = 0;
        bool fits;
        int length;
        try
        {
            fits = PerMessageDeflate.TryDecompress(_compressed.AsMemory(0, compressedLength), ref _inflated, out length, _options.MaxPayload);
        }
        catch (InvalidDataException)
        {
            await FailAsync(WebSocketCloseStatus.InvalidPayloadData, "invalid compressed data", cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!fits)
        {
            await FailAsync(WebSocketCloseStatus.MessageTooBig, "Maximum Payload Exceeded", cancellationToken).ConfigureAwait(false);
        }
        _inflatedStart = 0;
        _inflatedEnd = length;
    }

    /// <summary>Reads one frame header; handles control frames whole. False at the end of input.</summary>
    private async ValueTask<bool> ReadFrameHeaderAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(2, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        var b0 = _readBuffer[_readStart];
        var b1 = _readBuffer[_readStart + 1];
        var opcode = (WebSocketOpcode)(b0 & 0x0F);
        var final = (b0 & FrameHeader.FinalBit) != 0;
        var compressed = (b0 & FrameHeader.Rsv1Bit) != 0;
        var masked = (b1 & FrameHeader.MaskBit) != 0;
        if ((b0 & (FrameHeader.Rsv2Bit | FrameHeader.Rsv3Bit)) != 0)
        {
            await FailAsync(WebSocketCloseStatus.ProtocolError, "RSV2 and RSV3 must be clear", cancellationToken).ConfigureAwait(false);
        }
        if (compressed && !_options.Compression)
        {
            await FailAsync(WebSocketCloseStatus.ProtocolError, "compressed frame received without negotiated permessage-deflate", cancellationToken).ConfigureAwait(false);
        }
        if (_options.RequireMaskedInput && !masked)
        {
            await FailAsync(WebSocketCloseStatus.ProtocolError, "mask bit missing", cancellationToken).ConfigureAwait(false);
        }
        long length = b1 & 0x7F;
        var isControl = opcode is WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong;
        if (isControl)
        {
            if (length > MaxControlPayload)
            {
                await FailAsync(WebSocketCloseStatus.ProtocolError, $"control frame length bigger than maximum allowed of {MaxControlPayload} bytes", cancellationToken).ConfigureAwait(false);
            }
            if (!final)
            {
                await FailAsync(WebSocketCloseStatus.ProtocolError, "control frame does not have final bit set", cancellationToken).ConfigureAwait(false);
            }
            if (compressed)
            {
                await FailAsync(WebSocketCloseStatus.ProtocolError, "control frame must not be compressed", cancellationToken).ConfigureAwait(false);
            }
        }
        else if (opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary)
        {
            if (_messageOpen)
            {
                await FailAsync(WebSocketCloseStatus.ProtocolError, "new message started before final frame for previous message was received", cancellationToken).ConfigureAwait(false);
            }
        }
        else if (opcode == WebSocketOpcode.Continuation)
        {
            if (!_messageOpen || compressed)
            {
                await FailAsync(WebSocketCloseStatus.ProtocolError, "invalid continuation frame", cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await FailAsync(WebSocketCloseStatus.ProtocolError, $"unknown opcode {(int)opcode}", cancellationToken).ConfigureAwait(false);
        }

        var headerLength = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (!await EnsureAsync(headerLength, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        var position = _readStart + 2;
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(_readBuffer.AsSpan(position));
            position += 2;
        }
        else if (length == 127)
        {
            var raw = BinaryPrimitives.ReadUInt64BigEndian(_readBuffer.AsSpan(position));
            if ((raw & (1UL << 63)) != 0)
            {
                await FailAsync(WebSocketCloseStatus.ProtocolError, "invalid 64-bit payload length", cancellationToken).ConfigureAwait(false);
            }
            length = (long)raw;
            position += 8;
        }
        if (!isControl && length > _maxFrameLength - (_messageCompressed || compressed ? _compressedLength : 0))
        {
            // Refused before reading any of it: a peer cannot make us hold more than the limit.
            await FailAsync(WebSocketCloseStatus.MessageTooBig, "Maximum Payload Exceeded", cancellationToken).ConfigureAwait(false);
        }
        _frameMasked = masked;
        if (masked)
        {
            _maskKey = BinaryPrimitives.ReadUInt32LittleEndian(_readBuffer.AsSpan(position));
            _maskOffset = 0;
            position += 4;
        }
        _readStart = position;

        if (isControl)
        {
            await HandleControlFrameAsync(opcode, (int)length, cancellationToken).ConfigureAwait(false);
            return !_readClosed;
        }
        if (opcode != WebSocketOpcode.Continuation)
        {
            _messageOpen = true;
            _messageCompressed = compressed;
        }
        _inDataFrame = true;
        _frameFinal = final;
        _frameRemaining = length;
        return true;
    }

    private async ValueTask HandleControlFrameAsync(WebSocketOpcode opcode, int length, CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(length, cancellationToken).ConfigureAwait(false))
        {
            _readClosed = true;
            return;
        }
        var payload = _readBuffer.AsSpan(_readStart, length);
        Unmask(payload);
        _readStart += length;
        switch (opcode)
        {
            case WebSocketOpcode.Ping:
                await SendControlAsync(WebSocketOpcode.Pong, payload.ToArray(), cancellationToken).ConfigureAwait(false);
                break;
            case WebSocketOpcode.Pong:
                break;
            case WebSocketOpcode.Close:
                await HandleCloseAsync(payload.ToArray(), cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    // nats-server's close handling: echo the status (and body) back, then end the stream.
    private async ValueTask HandleCloseAsync(byte[] payload, CancellationToken cancellationToken)
    {
        if (payload.Length == 1)
        {
            await FailAsync(WebSocketCloseStatus.ProtocolError, "close frame payload cannot be 1 byte", cancellationToken).ConfigureAwait(false);
        }
        int status = WebSocketCloseStatus.NoStatusReceived;
        var body = "";
        if (payload.Length >= 2)
        {
            status = BinaryPrimitives.ReadUInt16BigEndian(payload);
            if (!WebSocketCloseStatus.IsValidReceived(status))
            {
                await FailAsync(WebSocketCloseStatus.ProtocolError, $"invalid close status code {status}", cancellationToken).ConfigureAwait(false);
            }
            if (payload.Length > 2)
            {
                try
                {
                    body = StrictUtf8.GetString(payload, 2, payload.Length - 2);
                }
                catch (DecoderFallbackException)
                {
                    status = WebSocketCloseStatus.InvalidPayloadData;
                    body = "invalid utf8 body in close frame";
                }
            }
        }
        PeerCloseStatus = (ushort)status;
        _readClosed = true;
        if (status != WebSocketCloseStatus.NoStatusReceived)
        {
            await CloseAsync((ushort)status, body, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SendCloseFrameAsync([], cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Sends the close frame for a protocol error and throws.</summary>
    private async ValueTask FailAsync(ushort status, string message, CancellationToken cancellationToken)
    {
        _readClosed = true;
        try
        {
            await CloseAsync(status, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            // The peer may be gone already; the error below is what matters.
        }
        throw new WebSocketProtocolException(status, message);
    }

    /// <summary>Makes <paramref name="count"/> bytes (at most the buffer) available from _readStart. False at the end of input.</summary>
    private async ValueTask<bool> EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_readEnd - _readStart < count)
        {
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Reads more input after what is buffered (moving it to the front first). False at the end of input.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_readStart > 0)
        {
            var kept = _readEnd - _readStart;
            if (kept > 0)
            {
                _readBuffer.AsSpan(_readStart, kept).CopyTo(_readBuffer);
            }
            _readStart = 0;
            _readEnd = kept;
        }
        var read = await _inner.ReadAsync(_readBuffer.AsMemory(_readEnd), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return false;
        }
        _readEnd += read;
        if (_readEnd == _readBuffer.Length && _readBuffer.Length < MaxReadBufferSize)
        {
            var larger = new byte[MaxReadBufferSize];
            _readBuffer.AsSpan(0, _readEnd).CopyTo(larger);
            _readBuffer = larger;
        }
        return true;
    }
}
