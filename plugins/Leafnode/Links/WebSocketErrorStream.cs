using System.Net.WebSockets;

namespace Nats.Leafnode.Links;

/// <summary>
/// .NET's client <see cref="System.Net.WebSockets.WebSocketStream"/> reports a peer that went
/// away (no close handshake) as a <see cref="WebSocketException"/>; the kernel's link read loop
/// and writer treat <see cref="IOException"/> as the end of a connection. This passes every call
/// through and turns the one into the other, so a hub that disappears ends the link as a read
/// or write error, as on TCP, not as an unexpected failure; after the peer's close frame, reads
/// end the stream (0) instead of throwing <see cref="NotSupportedException"/>.
/// </summary>
/// <remarks>Holds only the inner stream (immutable); one reader and one writer at a time, as the inner one.</remarks>
internal sealed class WebSocketErrorStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Once the peer's close frame arrived the inner stream stops being readable (and throws
        // NotSupportedException): that is the end of the stream.
        if (!inner.CanRead)
        {
            return 0;
        }
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            throw new IOException(e.Message, e);
        }
        catch (NotSupportedException) when (!inner.CanRead)
        {
            return 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            throw new IOException(e.Message, e);
        }
        catch (NotSupportedException e) when (!inner.CanWrite)
        {
            throw new IOException("websocket closed", e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeInner();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // A peer already gone cannot take our close frame: nothing left to release.
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void DisposeInner()
    {
        try
        {
            inner.Dispose();
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // As in DisposeAsync.
        }
    }
}
