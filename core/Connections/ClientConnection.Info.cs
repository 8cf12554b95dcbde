using Nats.Core.Protocol;
using Nats.Core.Security.Tls;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    /// <summary>
    /// Sends INFO (with a nonce when nkey or plugin authentication may need a signature); with
    /// TLS configured, also runs the handshake (see <see cref="NegotiateTlsAsync"/>).
    /// </summary>
    private protected override ValueTask<bool> NegotiateAsync()
    {
        if (Auth.NeedsNonce)
        {
            _nonce = Security.Nonce.Generate();
        }
        // Taken once: this connection completes with the certificate in force now, even if a
        // reload or a watched file replaces it meanwhile.
        var tls = Listener.TlsSet is { } set ? Server.TlsSets.Find(set) : null;
        if (tls?.Context is null)
        {
            Out.Append(InfoLine(ListenerInfo(Server.Info)));
            return ValueTask.FromResult(true);
        }
        return NegotiateTlsAsync(tls);
    }

    /// <summary>
    /// The server's INFO as this client's listener sees it: a plugin's listener with its own
    /// authorization or certificate says so in <c>auth_required</c> and <c>tls_required</c>,
    /// and one with its own advertised URLs lists them in <c>connect_urls</c>.
    /// </summary>
    private ServerInfo ListenerInfo(ServerInfo info)
    {
        if (ReferenceEquals(Listener, ClientListenerOptions.ClientPort))
        {
            return info;
        }
        var authRequired = Auth.IsAuthRequired && !HasNoAuthUser;
        var tlsRequired = Listener.TlsSet is { } set && Server.TlsSets.Find(set)?.Context is not null;
        if (info.AuthRequired != authRequired || info.TlsRequired != tlsRequired)
        {
            info = info with { AuthRequired = authRequired, TlsRequired = tlsRequired, TlsVerify = tlsRequired && info.TlsVerify };
        }
        return Listener.ConnectUrlsField is { } field ? info with { ConnectUrls = Server.GetAdvertisedUrls(field) } : info;
    }

    private byte[] InfoLine(ServerInfo info) => info.ToClientInfoLine(Id, RemoteEndPoint?.Address.ToString(), _nonce);

    /// <summary>
    /// An INFO after the first, as nats-server's <c>generateClientInfoJSON</c> writes it: this
    /// client's id, address and max_payload, as the first INFO had them (the C client reads its
    /// client id from every INFO), but no nonce, which only the handshake uses.
    /// </summary>
    private byte[] AsyncInfoLine() =>
        OwnInfo(ListenerInfo(Server.Info)).ToClientInfoLine(Id, RemoteEndPoint?.Address.ToString(), null);

    /// <summary>
    /// Re-sends INFO after the server's INFO changed (cluster members, lame duck), to
    /// clients that understand asynchronous INFO (protocol 1).
    /// </summary>
    internal void SendInfoUpdate()
    {
        if (IsClosed || Options.Protocol < 1 || !_connectReceived || Volatile.Read(ref _firstPongSent) == 0)
        {
            return;
        }
        Send(AsyncInfoLine());
    }

    /// <summary>
    /// The server's INFO with this connection's max_payload (smaller when its user or account
    /// limits it), as nats-server's <c>generateClientInfoJSON</c> writes it.
    /// </summary>
    private ServerInfo OwnInfo(ServerInfo info)
    {
        var maxPayload = _limits.Payload(info.MaxPayload);
        return maxPayload == info.MaxPayload ? info : info with { MaxPayload = maxPayload };
    }

    // Asynchronous INFO goes only to clients that got their first PONG, as in nats-server: a
    // client that sent CONNECT and PING must read PONG first (the C and Go clients fail the
    // connect on "Expected 'PONG', got 'INFO'"). Right after that PONG, nats-server's processPing
    // sends one INFO when the client's max_payload is lower than the server's (its user or account
    // limits it) or the connect_urls changed since it connected. 0 until the first PONG is queued, then 1.

    private void OnPing()
    {
        Send("PONG\r\n"u8);
        if (!_connectReceived || Volatile.Read(ref _firstPongSent) != 0)
        {
            return;
        }
        // A full fence between publishing the flag and reading the update time: an update
        // either sees the flag (and sends INFO itself) or stamped its time before this read
        // (and the INFO below goes out), never neither.
        Interlocked.Exchange(ref _firstPongSent, 1);
        if (Options.Protocol < 1)
        {
            return;
        }
        var serverInfo = ListenerInfo(Server.Info);
        if (!ReferenceEquals(OwnInfo(serverInfo), serverInfo) || Server.ConnectUrlsUpdatedTicks >= StartTime.Ticks)
        {
            Send(AsyncInfoLine());
        }
    }
}
