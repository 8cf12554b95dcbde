using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Nats.Core.Config;

namespace Nats.Core.Security.Tls;

/// <summary>
/// One loaded, immutable TLS set: the certificate with its chain as an
/// <see cref="SslStreamCertificateContext"/>, the CA bundle, the cipher policy and the pins.
/// It hands out fresh authentication options per handshake; replacing a set means building a
/// new instance, so a handshake in flight keeps the one it started with.
/// </summary>
internal sealed class TlsCredentials
{
    private readonly X509Certificate2Collection? _authorities;
    private readonly CipherSuitesPolicy? _ciphers;
    private readonly SslProtocols _protocols;
    private readonly HashSet<string> _pins;

    private TlsCredentials(TlsOptions options, TlsFiles files, X509Certificate2? certificate, SslStreamCertificateContext? context,
        X509Certificate2Collection? authorities, bool stapling, IReadOnlyList<string> warnings)
    {
        Options = options;
        Stamp = files.Stamp;
        Certificate = certificate;
        Context = context;
        _authorities = authorities;
        // CipherSuitesPolicy does not exist on Windows; there the platform's suites apply.
        _ciphers = OperatingSystem.IsWindows() ? null : TlsCipherSuites.CreatePolicy(options.CipherSuites);
        _protocols = options.MinVersion == "1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;
        _pins = new HashSet<string>(options.PinnedCerts, StringComparer.Ordinal);
        Stapling = stapling;
        Warnings = warnings;
    }

    /// <summary>The options this set was built from.</summary>
    public TlsOptions Options { get; }

    /// <summary>Fingerprint of the file contents it was loaded from.</summary>
    public string Stamp { get; }

    /// <summary>The certificate with its private key, or null for a set without one (outbound only).</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The certificate, its chain and OCSP state for handshakes.</summary>
    public SslStreamCertificateContext? Context { get; }

    /// <summary>True when the certificate is OCSP-stapled.</summary>
    public bool Stapling { get; }

    /// <summary>Things the operator should know (stapling that cannot work, say).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Loads and checks the files of <paramref name="options"/>. With
    /// <paramref name="forValidation"/> nothing is fetched from the network (no OCSP).
    /// </summary>
    /// <exception cref="ConfigException">A file is missing, unreadable, not PEM, the key does not match, or the certificate has expired.</exception>
    public static TlsCredentials Load(TlsOptions options, OcspOptions ocsp, bool forValidation)
    {
        var files = TlsFiles.Read(options);
        var authorities = files.Ca is null ? null : TlsCertificateLoader.LoadAuthorities(files.Ca);
        if (files.Cert is null || files.Key is null)
        {
            return new TlsCredentials(options, files, null, null, authorities, stapling: false, []);
        }
        var (leaf, intermediates) = TlsCertificateLoader.LoadIdentity(files.Cert, files.Key, DateTime.UtcNow);
        var warnings = new List<string>();
        var staple = OcspStapling.ShouldStaple(ocsp.Mode, leaf);
        // The CA bundle goes in too: the chain is built from it (the root is not sent), and
        // .NET needs the issuer to ask the OCSP responder about the certificate.
        var additional = new X509Certificate2Collection(intermediates);
        if (authorities is not null)
        {
            additional.AddRange(authorities);
        }
        if (staple && OcspStapling.Problem(leaf, additional) is { } problem)
        {
            warnings.Add($"OCSP stapling is not possible for certificate {leaf.Subject}: {problem}");
            staple = false;
        }
        var context = SslStreamCertificateContext.Create(leaf, additional, offline: !staple || forValidation, trust: Trust(options, authorities));
        return new TlsCredentials(options, files, leaf, context, authorities, staple && !forValidation, warnings);
    }

    /// <summary>Authentication options for one inbound handshake; null when the set has no certificate.</summary>
    /// <param name="onReject">Told why a peer's certificate was refused (for the connection's log line).</param>
    public SslServerAuthenticationOptions? CreateServerOptions(Action<string>? onReject = null)
    {
        if (Context is null)
        {
            return null;
        }
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = Context,
            ClientCertificateRequired = Options.RequiresPeerCertificate,
            EnabledSslProtocols = _protocols,
            CipherSuitesPolicy = _ciphers,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(),
            AllowRenegotiation = false,
            RemoteCertificateValidationCallback = PeerCheck(Options.RequiresPeerCertificate, onReject),
        };
    }

    /// <summary>Authentication options for one outbound handshake to <paramref name="targetHost"/>.</summary>
    /// <param name="targetHost">The name the server's certificate must carry (and SNI).</param>
    /// <param name="onReject">Told why the server's certificate was refused (for the connection's log line).</param>
    public SslClientAuthenticationOptions CreateClientOptions(string targetHost, Action<string>? onReject = null)
    {
        return new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ClientCertificateContext = Context,
            EnabledSslProtocols = _protocols,
            CipherSuitesPolicy = _ciphers,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(),
            AllowRenegotiation = false,
            // insecure skips verifying the server (Go's InsecureSkipVerify); pins are still checked.
            RemoteCertificateValidationCallback = PeerCheck(!Options.Insecure, onReject),
        };
    }

    /// <summary>The peer's certificate check, the same both ways: chain and pins, then the verdict reported.</summary>
    private RemoteCertificateValidationCallback PeerCheck(bool mustVerify, Action<string>? onReject) =>
        (_, certificate, chain, errors) =>
        {
            var rejection = TlsPeerCheck.Judge(certificate, chain, errors, mustVerify, _pins);
            if (rejection is null)
            {
                return true;
            }
            onReject?.Invoke(rejection);
            return false;
        };

    // With a ca_file, peers are verified against it alone (a custom root store, as Go's
    // ClientCAs/RootCAs pool); without one, against the system's roots.
    private X509ChainPolicy? ChainPolicy()
    {
        if (_authorities is null)
        {
            return null;
        }
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(_authorities);
        return policy;
    }

    // Verifying servers tell clients which CAs they accept in the CertificateRequest, as Go does.
    private static SslCertificateTrust? Trust(TlsOptions options, X509Certificate2Collection? authorities)
    {
        if (authorities is null || !options.RequiresPeerCertificate)
        {
            return null;
        }
        try
        {
            return SslCertificateTrust.CreateForX509Collection(authorities, sendTrustInHandshake: true);
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }
}
