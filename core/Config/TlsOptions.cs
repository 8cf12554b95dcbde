namespace Nats.Core.Config;

/// <summary>
/// A <c>tls {}</c> block as nats-server reads it (client port, cluster, gateway, leaf nodes,
/// websocket, mqtt all use the same grammar), plus <c>watch</c>: reload the certificate when
/// its files change, without waiting for a SIGHUP. Parse one with
/// <see cref="TlsOptionsParser.Parse(ConfValue, bool, ICollection{string}?)"/>.
/// </summary>
/// <remarks>
/// Two instances are equal when every option is (lists compared item by item), so a reload
/// that re-reads an unchanged block sees no change.
/// </remarks>
public sealed record TlsOptions
{
    /// <summary>Handshake timeout when none is configured (nats-server's <c>TLS_TIMEOUT</c>).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long <c>handshake_first: auto</c> waits for a ClientHello (nats-server's default).</summary>
    public static readonly TimeSpan DefaultHandshakeFirstFallback = TimeSpan.FromMilliseconds(50);

    /// <summary><c>cert_file</c>: PEM certificate (chain).</summary>
    public string? CertFile { get; init; }

    /// <summary><c>key_file</c>: PEM private key.</summary>
    public string? KeyFile { get; init; }

    /// <summary><c>ca_file</c>: PEM CA bundle to verify peers with.</summary>
    public string? CaFile { get; init; }

    /// <summary><c>verify</c>: require and verify the peer's certificate.</summary>
    public bool Verify { get; init; }

    /// <summary><c>verify_and_map</c>: verify, and map the certificate's subject to a user.</summary>
    public bool VerifyAndMap { get; init; }

    /// <summary>
    /// <c>verify_cert_and_check_known_urls</c> (cluster, gateway): verify the peer's certificate.
    /// The extra check of its DNS names against configured URLs is not done here.
    /// </summary>
    public bool CheckKnownUrls { get; init; }

    /// <summary><c>insecure</c>: for outbound links, skip verifying the server certificate.</summary>
    public bool Insecure { get; init; }

    /// <summary><c>timeout</c>: handshake timeout.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary><c>cipher_suites</c>: allowed cipher suite names (Go/IANA names); empty for the defaults.</summary>
    public IReadOnlyList<string> CipherSuites { get; init; } = [];

    /// <summary><c>allow_insecure_cipher_suites</c>: permit suites Go marks insecure in <see cref="CipherSuites"/>.</summary>
    public bool AllowInsecureCipherSuites { get; init; }

    /// <summary><c>curve_preferences</c>: checked, then left to the platform (.NET has no per-connection setting).</summary>
    public IReadOnlyList<string> CurvePreferences { get; init; } = [];

    /// <summary><c>min_version</c>: "1.2" or "1.3".</summary>
    public string? MinVersion { get; init; }

    /// <summary><c>handshake_first</c>: TLS before INFO (clients that dial with TLS at once).</summary>
    public bool HandshakeFirst { get; init; }

    /// <summary>With <c>handshake_first</c> given as a duration: how long to wait for a TLS ClientHello before sending INFO in the clear.</summary>
    public TimeSpan? HandshakeFirstFallback { get; init; }

    /// <summary><c>pinned_certs</c>: allowed peer certificates, as hex SHA-256 of their public key info.</summary>
    public IReadOnlyList<string> PinnedCerts { get; init; } = [];

    /// <summary><c>watch</c> (our addition): reload the certificate by itself when its files change.</summary>
    public bool Watch { get; init; }

    /// <summary>True when a certificate is configured (TLS is on).</summary>
    public bool IsEnabled => !string.IsNullOrEmpty(CertFile);

    /// <summary>True when peers must present a certificate that verifies.</summary>
    public bool RequiresPeerCertificate => Verify || VerifyAndMap || CheckKnownUrls;

    /// <inheritdoc />
    public bool Equals(TlsOptions? other) =>
        other is not null &&
        CertFile == other.CertFile &&
        KeyFile == other.KeyFile &&
        CaFile == other.CaFile &&
        Verify == other.Verify &&
        VerifyAndMap == other.VerifyAndMap &&
        CheckKnownUrls == other.CheckKnownUrls &&
        Insecure == other.Insecure &&
        Timeout == other.Timeout &&
        CipherSuites.SequenceEqual(other.CipherSuites) &&
        AllowInsecureCipherSuites == other.AllowInsecureCipherSuites &&
        CurvePreferences.SequenceEqual(other.CurvePreferences) &&
        MinVersion == other.MinVersion &&
        HandshakeFirst == other.HandshakeFirst &&
        HandshakeFirstFallback == other.HandshakeFirstFallback &&
        PinnedCerts.SequenceEqual(other.PinnedCerts) &&
        Watch == other.Watch;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(CertFile, KeyFile, CaFile, Verify, VerifyAndMap, Timeout, CipherSuites.Count, PinnedCerts.Count);
}
