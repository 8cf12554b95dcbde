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
    /// authorization or certificate says so in <c>auth_required</c> and <c>tls_required</c>.
    /// </summary>
    private ServerInfo ListenerInfo(ServerInfo info)
    {
        if (ReferenceEquals(Listener, ClientListenerOptions.ClientPort))
        {
            return info;
        }
        var authRequired = Auth.IsAuthRequired && !HasNoAuthUser;
        var tlsRequired = Listener.TlsSet is { } set && Server.TlsSets.Find(set)?.Context is not null;
        return info.AuthRequired == authRequired && info.TlsRequired == tlsRequired
            ? info
            : info with { AuthRequired = authRequired, TlsRequired = tlsRequired, TlsVerify = tlsRequired && info.TlsVerify };
    }

    private byte[] InfoLine(ServerInfo info) => info.ToClientInfoLine(Id, RemoteEndPoint?.Address.ToString(), _nonce);

    /// <summary>
    /// Re-sends INFO after the server's INFO changed (cluster members, lame duck), to
    /// clients that understand asynchronous INFO (protocol 1).
    /// </summary>
    internal void SendInfoUpdate()
    {
        if (IsClosed || Options.Protocol < 1 || !_connectReceived || !_firstPongSent)
        {
            return;
        }
        Send(ListenerInfo(Server.Info).ToClientInfoLine(0, null, null));
    }

    // Asynchronous INFO goes only to clients that completed their first PING/PONG, as in
    // nats-server; a client whose connect_urls changed before that gets INFO then.
    private volatile bool _firstPongSent;

    private void OnPing()
    {
        if (!_firstPongSent && _connectReceived)
        {
            _firstPongSent = true;
            if (Options.Protocol >= 1 && Server.ConnectUrlsUpdatedTicks >= StartTime.Ticks)
            {
                Send(ListenerInfo(Server.Info).ToClientInfoLine(0, null, null));
            }
        }
        Send("PONG\r\n"u8);
    }
}
