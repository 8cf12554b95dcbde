using Nats.Core.Connections;

namespace Nats.WebSocket.Framing;

/// <summary>
/// A <see cref="Stream"/> over an upgraded WebSocket connection: reading yields the payload
/// bytes of the peer's data messages (unmasked, reassembled from fragments, inflated when
/// compressed) and answers its control frames; writing sends each buffer (or each batch the
/// kernel's writer hands over, <see cref="IGatheredWriteStream"/>) as a binary message
/// (compressed when negotiated, in 4 KiB frames for browsers). So the kernel's client
/// protocol runs over it unchanged. One reader and any number of writers at a time.
/// </summary>
/// <remarks>
/// Fields: the read state (<see cref="WebSocketStream"/>.Read.cs) belongs to the single reader;
/// the write state (.Write.cs) is guarded by <c>_writeLock</c>, which control frames sent by
/// the reader (pong, close) also take.
/// </remarks>
public sealed partial class WebSocketStream : Stream, IConnectionCloseAware, IGatheredWriteStream
{
    private readonly Stream _inner;
    private readonly WebSocketStreamOptions _options;
    private readonly long _maxFrameLength;
    private int _disposed;
    // Set by whichever thread closes the connection (the kernel, IConnectionCloseAware); read by Dispose. -1: not known.
    private int _closedReason = -1;

    /// <summary>Wraps <paramref name="inner"/> (the upgraded connection, after the 101 response).</summary>
    public WebSocketStream(Stream inner, WebSocketStreamOptions options)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _maxFrameLength = options.EffectiveMaxFrameLength;
        _writeBuffer = _keptWriteBuffer;
    }

    /// <summary>The options in force.</summary>
    public WebSocketStreamOptions Options => _options;

    /// <summary>The status of the close frame the peer sent, once it did; 1005 when it had none.</summary>
    public ushort? PeerCloseStatus { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Sends the close frame for <paramref name="reason"/> (nats-server's status and text),
    /// once; later writes fail. What a listener calls before disposing, when it knows why.
    /// </summary>
    public Task CloseAsync(ClosedReason reason, CancellationToken cancellationToken = default) =>
        CloseAsync(WebSocketCloseReasons.StatusFor(reason), reason.ToDisplayString(), cancellationToken);

    /// <summary>
    /// The kernel's close reason: disposing then sends nats-server's close frame for it
    /// (status and reason text, as <c>wsEnqueueCloseMessage</c>) instead of 1001 without text.
    /// </summary>
    public void OnConnectionClosing(ClosedReason reason) => Interlocked.CompareExchange(ref _closedReason, (int)reason, -1);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (!_closeSent)
        {
            // Without a reason from the kernel (OnConnectionClosing) or a listener (CloseAsync), 1001 and no text.
            using var timeout = new CancellationTokenSource(_options.CloseTimeout);
            try
            {
                var reason = Volatile.Read(ref _closedReason);
                await (reason < 0 ? CloseAsync(WebSocketCloseStatus.GoingAway, "", timeout.Token) : CloseAsync((ClosedReason)reason, timeout.Token)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or NotSupportedException)
            {
                // The peer is gone or not reading: nothing more to tell it.
            }
        }
        if (!_options.LeaveInnerStreamOpen)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Never blocks: the close frame goes out in the background (within
    /// <see cref="WebSocketStreamOptions.CloseTimeout"/>), then the connection is released. The
    /// kernel disposes from a publisher's or the heartbeat's thread when it cuts a slow consumer,
    /// whose stuck write holds the write lock; waiting there would stall them.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Volatile.Read(ref _disposed) == 0)
        {
            _ = DisposeInBackgroundAsync();
        }
        base.Dispose(disposing);
    }

    private async Task DisposeInBackgroundAsync()
    {
        try
        {
            await DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            // The connection is gone already: nothing left to release.
        }
    }
}
