namespace Nats.Core.Config;

/// <summary>Clustering with routes (<c>cluster {}</c> and the <c>--cluster*</c> flags).</summary>
public sealed class ClusterOptions
{
    /// <summary>Cluster name (<c>name</c>, <c>--cluster_name</c>); servers of one cluster must agree.</summary>
    public string? Name { get; set; }

    /// <summary>Route listen host.</summary>
    public string Host { get; set; } = "0.0.0.0";

    /// <summary>Route listen port; 0 = clustering off, -1 = random.</summary>
    public int Port { get; set; }

    /// <summary>Address advertised to other servers (<c>advertise</c>/<c>cluster_advertise</c>).</summary>
    public string? Advertise { get; set; }

    /// <summary><c>no_advertise</c>: do not gossip this cluster's client URLs to clients.</summary>
    public bool NoAdvertise { get; set; }

    /// <summary>Seed routes to connect to.</summary>
    public List<Uri> Routes { get; set; } = [];

    /// <summary>Route authorization user.</summary>
    public string? Username { get; set; }

    /// <summary>Route authorization password.</summary>
    public string? Password { get; set; }

    /// <summary>Route authorization timeout.</summary>
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>connect_retries</c> for implicit (discovered) routes; explicit ones retry forever.</summary>
    public int ConnectRetries { get; set; }

    /// <summary><c>pool_size</c>: accepted for compatibility.</summary>
    public int PoolSize { get; set; } = -1;

    /// <summary>
    /// <c>tls {}</c>: TLS on every route, both ways, with the certificate also presented as a
    /// client certificate. As in nats-server, the other server's certificate is always verified.
    /// </summary>
    public TlsOptions? Tls { get; set; }

    /// <summary>True when a route listener is configured.</summary>
    public bool Enabled => Port != 0;
}
