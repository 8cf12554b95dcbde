using Nats.Core.Config;

namespace Nats.Core.Security.Tls;

/// <summary>
/// The client port's TLS as the config bus binds it: the top-level <c>tls {}</c> block with
/// the <c>--tls*</c> command-line flags applied over it, as nats-server does.
/// </summary>
/// <remarks>
/// Deliberately compared by reference, not by value: the bus then hands every reload to the
/// hook, which also notices certificate files replaced under an unchanged block (nats-server
/// re-reads them on every reload too).
/// </remarks>
internal sealed class ClientTlsSection
{
    private ClientTlsSection(TlsOptions? options) => Options = options;

    /// <summary>The options, or null when client TLS is off.</summary>
    public TlsOptions? Options { get; }

    /// <summary>Parses the section and applies <paramref name="flags"/>.</summary>
    /// <exception cref="ConfigException">An invalid value.</exception>
    public static ClientTlsSection Parse(ConfValue? section, FlagOverrides flags, ICollection<string>? warnings)
    {
        var options = section is null ? null : TlsOptionsParser.Parse(section, isClientContext: true, warnings);
        return new ClientTlsSection(ApplyFlags(options, flags));
    }

    /// <summary>
    /// nats-server's <c>overrideTLS</c>: <c>--tls=false</c> turns TLS off; any other TLS flag
    /// replaces the certificate, key, CA and verification with the flags' (and the default
    /// ciphers and versions), keeping the block's timeout, mapping, pins and handshake mode.
    /// </summary>
    public static TlsOptions? ApplyFlags(TlsOptions? options, FlagOverrides flags)
    {
        if (flags.Tls == false)
        {
            return null;
        }
        if (!flags.AnyTls)
        {
            return options;
        }
        if (string.IsNullOrEmpty(flags.TlsCert))
        {
            throw TlsCertificateLoader.Error("TLS Server certificate must be present and valid");
        }
        if (string.IsNullOrEmpty(flags.TlsKey))
        {
            throw TlsCertificateLoader.Error("TLS Server private key must be present and valid");
        }
        return (options ?? new TlsOptions()) with
        {
            CertFile = flags.TlsCert,
            KeyFile = flags.TlsKey,
            CaFile = flags.TlsCaCert,
            Verify = flags.TlsVerify == true,
            CipherSuites = [],
            AllowInsecureCipherSuites = false,
            CurvePreferences = [],
            MinVersion = null,
        };
    }
}
