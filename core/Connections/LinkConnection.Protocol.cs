using Microsoft.Extensions.Logging;

namespace Nats.Core.Connections;

public abstract partial class LinkConnection
{
    /// <summary>How often a keep-alive PING goes to the peer: the server's <c>ping_interval</c> unless overridden.</summary>
    protected virtual TimeSpan PingInterval => Server.Options.PingInterval;

    /// <summary>Unanswered PINGs after which the link is stale: the server's <c>ping_max</c> unless overridden.</summary>
    protected virtual int MaxPingsOut => Server.Options.MaxPingsOut;

    /// <summary>
    /// Queues one message for the peer: the protocol line with its CRLF (e.g.
    /// <c>RMSG $G foo 5\r\n</c>), the headers, the payload, then the closing CRLF added here,
    /// copied into the outbound buffer without allocating. Returns false when the link is closed or was just
    /// closed as a slow consumer (more than max_pending queued), so the message was not taken.
    /// </summary>
    protected bool SendMessage(ReadOnlySpan<byte> line, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        if (IsClosed)
        {
            return false;
        }
        if (Server.TraceProtocol)
        {
            TraceMessageSent(line);
        }
        if (Out.AppendMessage(line, headers, payload, "\r\n"u8) == AppendResult.SlowConsumer)
        {
            Close(ClosedReason.SlowConsumerPendingBytes);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Counts messages received from the peer (per read batch, not per message), on the link
    /// and in the server's totals (<c>/varz</c> in_msgs, in_bytes).
    /// </summary>
    protected void CountReceived(long messages, long bytes)
    {
        CountInbound(messages, bytes);
        Server.Statistics.CountIn(messages, bytes);
    }

    /// <summary>
    /// Upgrades to TLS with the certificate set <paramref name="tlsSet"/> of the server's
    /// store (<see cref="NatsServer.Tls"/>), as it is now: a dialled link is the TLS client and
    /// checks the peer's certificate for <paramref name="targetHost"/>, an accepted one is the
    /// TLS server. Within the set's timeout; call from <see cref="HandshakeAsync"/>. Returns
    /// false, with the link closed (<see cref="ClosedReason.TlsHandshakeError"/>), when the
    /// handshake fails or the set is not installed.
    /// </summary>
    protected async ValueTask<bool> UpgradeToTlsAsync(string tlsSet, string? targetHost = null)
    {
        var kind = ConnectionKind.Name.ToLowerInvariant();
        if (Server.TlsSets.Find(tlsSet) is not { } tls)
        {
            LogTlsHandshakeError(LogLevel.Error, kind, $"no TLS configuration {tlsSet}");
            Close(ClosedReason.TlsHandshakeError);
            return false;
        }
        var host = targetHost ?? RemoteEndPoint?.Address.ToString() ?? "";
        return DidSolicit
            ? await UpgradeToTlsAsync(null, reject => tls.CreateClientOptions(host, reject), tls.Options.Timeout, kind).ConfigureAwait(false)
            : await UpgradeToTlsAsync(reject => tls.CreateServerOptions(reject), null, tls.Options.Timeout, kind).ConfigureAwait(false);
    }
}
