using System.Security.Authentication;
using System.Security.Cryptography;
using Nats.Core.Cluster;
using Nats.Core.Connections;
using Nats.Core.Plugins;

namespace Nats.Core.Monitoring;

/// <summary>Fills <see cref="ConnInfo"/> from a client connection, as nats-server's <c>ConnInfo.fill</c>.</summary>
internal static class ConnInfoBuilder
{
    /// <summary>The fields every <c>/connz</c> entry has; uptime and idle are measured up to <paramref name="now"/>.</summary>
    public static ConnInfo Build(ClientConnection c, DateTime now)
    {
        var info = Common(c, c.Kind, c.OutMessages, c.OutBytes, now);
        info.NumSubs = (uint)c.SubscriptionCount;
        info.Name = NullIfEmpty(c.Options.Name);
        info.Lang = NullIfEmpty(c.Options.Lang);
        info.Version = NullIfEmpty(c.Options.Version);
        return info;
    }

    /// <summary>A listed link's entry (a leaf node: kind <c>Leafnode</c>, its peer's name, the interest it holds here).</summary>
    public static ConnInfo Build(ListedLink listed, DateTime now)
    {
        var link = listed.Link;
        var info = Common(link, link.ConnectionKind, link.OutMessages, link.OutBytes, now);
        info.NumSubs = (uint)listed.Listing.Subjects().Count;
        info.Name = NullIfEmpty(listed.Listing.Name);
        return info;
    }

    // What clients and links share; the outbound counters are each kind's own.
    private static ConnInfo Common(NatsConnection c, ConnectionKind kind, long outMessages, long outBytes, DateTime now)
    {
        var remote = c.RemoteEndPoint;
        var lastActivity = c.LastActivity;
        var rtt = TruncateRtt(c.Rtt);
        var info = new ConnInfo
        {
            Cid = c.Id,
            Kind = KindText(kind),
            Type = TypeText(kind),
            Ip = remote is null ? "" : HostPort.IpText(remote.Address),
            Port = remote?.Port ?? 0,
            Start = c.StartTime,
            LastActivity = lastActivity,
            Rtt = GoFormat.Duration(rtt),
            RttValue = rtt,
            Uptime = GoFormat.Uptime(now - c.StartTime),
            Idle = GoFormat.Uptime(now - lastActivity),
            PendingBytes = c.PendingBytes,
            InMsgs = c.InMessages,
            OutMsgs = outMessages,
            InBytes = c.InBytes,
            OutBytes = outBytes,
        };
        if (c.Tls is { } tls)
        {
            info.TlsVersion = TlsVersionText(tls.Protocol);
            info.TlsCipherSuite = NullIfEmpty(tls.CipherSuite);
        }
        return info;
    }

    /// <summary>The <c>auth=true</c> fields: user, account unless global, peer certificate.</summary>
    public static void AddAuth(ConnInfo info, string? user, string? account, TlsConnectionInfo? tls)
    {
        info.AuthorizedUser = NullIfEmpty(user);
        info.Account = account is null or Accounts.AccountRegistry.GlobalAccountName ? null : account;
        if (tls?.PeerCertificate is { } cert)
        {
            info.TlsPeerCerts =
            [
                new TlsPeerCert
                {
                    Subject = cert.Subject,
                    SubjectPkiSha256 = Convert.ToHexStringLower(SHA256.HashData(cert.PublicKey.ExportSubjectPublicKeyInfo())),
                    CertSha256 = Convert.ToHexStringLower(SHA256.HashData(cert.RawData)),
                },
            ];
        }
    }

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>nats-server shows sub-millisecond RTTs to the microsecond.</summary>
    private static TimeSpan TruncateRtt(TimeSpan rtt) =>
        rtt > TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond) && rtt < TimeSpan.FromMilliseconds(1)
            ? TimeSpan.FromTicks(rtt.Ticks - rtt.Ticks % TimeSpan.TicksPerMicrosecond)
            : rtt;

    internal static string KindText(ConnectionKind kind) => kind.ConnzKind;

    internal static string? TypeText(ConnectionKind kind) => kind.ConnzType;

#pragma warning disable SYSLIB0039 // TLS 1.0/1.1 named only to report what a peer negotiated.
    private static string? TlsVersionText(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "1.3",
        SslProtocols.Tls12 => "1.2",
        SslProtocols.Tls11 => "1.1",
        SslProtocols.Tls => "1.0",
        _ => null,
    };
#pragma warning restore SYSLIB0039
}
