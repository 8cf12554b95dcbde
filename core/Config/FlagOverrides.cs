namespace Nats.Core.Config;

/// <summary>
/// Command-line flags for features whose config the kernel does not bind (JetStream, TLS,
/// HTTPS monitoring…). The host parses them; the plugin or component that owns the feature
/// applies them over its config section, flags winning as in nats-server. Null means the flag
/// was not given.
/// </summary>
public sealed class FlagOverrides
{
    /// <summary><c>-js</c> / <c>--jetstream</c>: enable (or with <c>=false</c> disable) JetStream.</summary>
    public bool? JetStream { get; set; }

    /// <summary><c>-sd</c> / <c>--store_dir</c>: the JetStream storage directory.</summary>
    public string? StoreDir { get; set; }

    /// <summary><c>--tls</c>: enable TLS for clients (<c>--tls=false</c> turns off a <c>tls {}</c> block).</summary>
    public bool? Tls { get; set; }

    /// <summary><c>--tlsverify</c>: require and verify client certificates.</summary>
    public bool? TlsVerify { get; set; }

    /// <summary><c>--tlscert</c>: server certificate file.</summary>
    public string? TlsCert { get; set; }

    /// <summary><c>--tlskey</c>: server private key file.</summary>
    public string? TlsKey { get; set; }

    /// <summary><c>--tlscacert</c>: CA file to verify client certificates.</summary>
    public string? TlsCaCert { get; set; }

    /// <summary><c>-ms</c> / <c>--https_port</c>: HTTPS monitoring port.</summary>
    public int? HttpsPort { get; set; }

    /// <summary><c>-r</c> / <c>--remote_syslog</c>: remote syslog address.</summary>
    public string? RemoteSyslog { get; set; }

    /// <summary>True when any TLS flag was given.</summary>
    public bool AnyTls => Tls is not null || TlsVerify is not null || TlsCert is not null || TlsKey is not null || TlsCaCert is not null;
}
