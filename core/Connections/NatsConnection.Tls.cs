using System.ComponentModel;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Nats.Core.Connections;

public abstract partial class NatsConnection
{
    /// <summary>
    /// Runs the TLS handshake as the server (<paramref name="server"/>) or the client
    /// (<paramref name="client"/>) within <paramref name="timeout"/>, then moves the connection
    /// onto the encrypted stream: reads and writes go through it from here on (the gathered
    /// socket writes of plain connections cannot apply). On failure the connection is closed
    /// with <see cref="ClosedReason.TlsHandshakeError"/> and false is returned.
    /// </summary>
    private protected async ValueTask<bool> UpgradeToTlsAsync(
        Func<Action<string>, SslServerAuthenticationOptions?>? server,
        Func<Action<string>, SslClientAuthenticationOptions?>? client,
        TimeSpan timeout,
        string kind)
    {
        string? rejection = null;
        void Reject(string reason) => rejection = reason;
        var ssl = new SslStream(Stream, leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Server.ShutdownToken);
        deadline.CancelAfter(timeout);
        try
        {
            if (server is not null)
            {
                var options = server(Reject) ?? throw new AuthenticationException("TLS is no longer configured");
                await ssl.AuthenticateAsServerAsync(options, deadline.Token).ConfigureAwait(false);
            }
            else
            {
                var options = client!(Reject) ?? throw new AuthenticationException("TLS is no longer configured");
                await ssl.AuthenticateAsClientAsync(options, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException or OperationCanceledException or ObjectDisposedException or Win32Exception)
        {
            var reason = rejection
                ?? (ex is OperationCanceledException && !Server.ShutdownToken.IsCancellationRequested ? "i/o timeout" : Innermost(ex));
            // [ERR] for every kind and cause, as nats-server 2.9.10 (a client that stays silent:
            // "TLS handshake error: read tcp …: i/o timeout", one that hangs up: "… error: EOF");
            // the rate limit keeps a flood of probes from filling the log.
            LogTlsHandshakeError(LogLevel.Error, kind, reason);
            await ssl.DisposeAsync().ConfigureAwait(false);
            Close(ClosedReason.TlsHandshakeError);
            return false;
        }
        var plain = Out;
        Stream = ssl;
        Out = new OutboundBuffer(ssl, socket: null, Server.Options.MaxPending);
        plain.Discard();
        Tls = new TlsConnectionInfo(ssl.SslProtocol, ssl.NegotiatedCipherSuite.ToString(), PeerCertificate(ssl.RemoteCertificate));
        Logging.ConnectionLog.TlsHandshakeComplete(Log, this, kind, Tls.Protocol, Tls.CipherSuite);
        return true;
    }

    /// <summary>A failed handshake, as nats-server words it for the kind, within the server's rate limit (probes fail routinely).</summary>
    private protected void LogTlsHandshakeError(LogLevel level, string kind, string reason)
    {
        if (!Server.LogLimits.TlsHandshakes.Allow(Log, level))
        {
            return;
        }
        if (kind == "client")
        {
            Logging.ConnectionLog.TlsHandshakeError(Log, level, this, reason);
            return;
        }
        Logging.ConnectionLog.LinkTlsHandshakeError(Log, level, this, kind, reason);
    }

    private static X509Certificate2? PeerCertificate(X509Certificate? certificate) => certificate switch
    {
        null => null,
        X509Certificate2 full => full,
        _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
    };

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex.Message;
    }
}
