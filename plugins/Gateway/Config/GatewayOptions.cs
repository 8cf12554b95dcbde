using Nats.Core.Config;

namespace Nats.Gateway.Config;

/// <summary>The <c>gateway {}</c> block, as nats-server's <c>GatewayOpts</c>.</summary>
public sealed record GatewayOptions
{
    /// <summary>No gateway block: the plugin stays idle.</summary>
    public static readonly GatewayOptions None = new();

    /// <summary>This cluster's gateway name (the super-cluster member name).</summary>
    public string Name { get; init; } = "";

    /// <summary>Interface to listen on (empty: all).</summary>
    public string Host { get; init; } = "";

    /// <summary>Port to listen on; -1 picks a free one; 0 means no gateway.</summary>
    public int Port { get; init; }

    /// <summary><c>advertise</c>: host:port other clusters should dial instead of the listen address.</summary>
    public string? Advertise { get; init; }

    /// <summary>The single user inbound gateways must present (<c>authorization { user }</c>).</summary>
    public string? Username { get; init; }

    /// <summary>Its password.</summary>
    public string? Password { get; init; }

    /// <summary>How long an inbound gateway has to send CONNECT (null: nats-server's default).</summary>
    public TimeSpan? AuthTimeout { get; init; }

    /// <summary>TLS for inbound and (unless a remote has its own) outbound gateways.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>How many times an implicit (discovered) remote is retried; explicit ones retry forever.</summary>
    public int ConnectRetries { get; init; }

    /// <summary>Refuse inbound gateways from clusters not listed in <see cref="Gateways"/>.</summary>
    public bool RejectUnknown { get; init; }

    /// <summary>Configured remote gateways (entries with this cluster's own name are kept, and ignored when dialling).</summary>
    public IReadOnlyList<RemoteGatewayOptions> Gateways { get; init; } = [];

    /// <summary>True when a gateway is configured (a name and a port).</summary>
    public bool Enabled => Name.Length > 0 && Port != 0;

    /// <summary>Value equality over the lists too (reload compares sections).</summary>
    public bool Equals(GatewayOptions? other) =>
        other is not null && Name == other.Name && Host == other.Host && Port == other.Port && Advertise == other.Advertise &&
        Username == other.Username && Password == other.Password && AuthTimeout == other.AuthTimeout && Equals(Tls, other.Tls) &&
        ConnectRetries == other.ConnectRetries && RejectUnknown == other.RejectUnknown && Gateways.SequenceEqual(other.Gateways);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Host, Port, Gateways.Count);
}

/// <summary>One entry of <c>gateways: [...]</c>: a remote cluster and how to reach it.</summary>
public sealed record RemoteGatewayOptions
{
    /// <summary>The remote cluster's gateway name.</summary>
    public string Name { get; init; } = "";

    /// <summary><c>url</c> and <c>urls</c>: servers of that cluster (with optional user:password).</summary>
    public IReadOnlyList<Uri> Urls { get; init; } = [];

    /// <summary>TLS for dialling this remote; null uses the gateway block's.</summary>
    public TlsOptions? Tls { get; init; }

    /// <inheritdoc />
    public bool Equals(RemoteGatewayOptions? other) =>
        other is not null && Name == other.Name && Urls.SequenceEqual(other.Urls) && Equals(Tls, other.Tls);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Urls.Count);
}
