using Nats.Core.Security.Tls;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    // The first byte of a TLS record carrying a handshake message (the ClientHello).
    private const int TlsHandshakeRecord = 0x16;

    /// <summary>
    /// The client port's TLS sequence, as nats-server's <c>createClient</c>:
    /// <list type="bullet">
    /// <item>normally INFO goes out in the clear, then the handshake runs;</item>
    /// <item><c>handshake_first</c>: the handshake runs first and INFO follows over TLS;</item>
    /// <item><c>handshake_first</c> with a fallback delay: if the client says nothing within the
    /// delay it is not doing TLS first, so INFO goes out in the clear and the normal path follows;</item>
    /// <item><c>allow_non_tls</c>: after INFO the first byte tells a ClientHello from a plain CONNECT.</item>
    /// </list>
    /// The handshake must finish within the set's <c>timeout</c>.
    /// </summary>
    private async ValueTask<bool> NegotiateTlsAsync(TlsCredentials tls)
    {
        var options = tls.Options;
        var info = ListenerInfo(Server.Info);
        var tlsFirst = options.HandshakeFirst;
        if (tlsFirst && options.HandshakeFirstFallback is { } delay && delay > TimeSpan.Zero)
        {
            // Only a client doing TLS first speaks before it has seen INFO.
            var first = await PeekFirstByteAsync(delay).ConfigureAwait(false);
            if (first < 0)
            {
                Close(ClosedReason.ClientClosed);
                return false;
            }
            if (first is null)
            {
                tlsFirst = false;
                await Stream.WriteAsync(InfoLine(info)).ConfigureAwait(false);
            }
        }
        else if (!tlsFirst)
        {
            // Written now, not queued: the writer starts only after the handshake.
            await Stream.WriteAsync(InfoLine(info)).ConfigureAwait(false);
        }

        var handshake = true;
        if (!tlsFirst && Server.AllowNonTls && Listener.TlsSet == TlsStore.ClientSet)
        {
            var first = await PeekFirstByteAsync(options.Timeout).ConfigureAwait(false);
            if (first < 0)
            {
                Close(ClosedReason.ClientClosed);
                return false;
            }
            handshake = first == TlsHandshakeRecord;
        }
        if (handshake && !await UpgradeToTlsAsync(reject => tls.CreateServerOptions(reject), null, options.Timeout, "client").ConfigureAwait(false))
        {
            return false;
        }
        if (tlsFirst)
        {
            Out.Append(InfoLine(info with { TlsRequired = true }));
        }
        return true;
    }

    /// <summary>
    /// Looks at the first byte the client sent without consuming it: null when nothing arrived
    /// within <paramref name="wait"/>, -1 when the client closed.
    /// </summary>
    private async ValueTask<int?> PeekFirstByteAsync(TimeSpan wait)
    {
        if (Socket is null)
        {
            // A plugin's stream cannot be peeked: its client is taken to do what the set says.
            return TlsHandshakeRecord;
        }
        var buffer = new byte[1];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Server.ShutdownToken);
        deadline.CancelAfter(wait);
        try
        {
            var read = await Socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.Peek, deadline.Token).ConfigureAwait(false);
            return read == 0 ? -1 : buffer[0];
        }
        catch (OperationCanceledException) when (!Server.ShutdownToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
