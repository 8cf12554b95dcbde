namespace Nats.Core.Config.Binding;

/// <summary>
/// nats-server's <c>setBaselineOptions</c>: in its config and flags a zero (or empty) value
/// means "the default", so <c>port: 0</c> is 4222 and <c>max_payload: 0</c> is 1MB. Applied
/// after the config file and again after command-line flags; applying it twice changes nothing.
/// </summary>
public static class ServerOptionsDefaults
{
    /// <summary>nats-server's client port.</summary>
    public const int Port = 4222;

    /// <summary>nats-server's listen host: every interface.</summary>
    public const string Host = "0.0.0.0";

    /// <summary>Replaces zero values by nats-server's defaults, in place.</summary>
    public static void ApplyBaseline(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var defaults = new ServerOptions();
        if (string.IsNullOrEmpty(options.Host))
        {
            options.Host = Host;
        }
        if (options.Port == 0)
        {
            options.Port = Port;
        }
        if (options.MaxConnections == 0)
        {
            options.MaxConnections = defaults.MaxConnections;
        }
        if (options.PingInterval == TimeSpan.Zero)
        {
            options.PingInterval = defaults.PingInterval;
        }
        if (options.MaxPingsOut == 0)
        {
            options.MaxPingsOut = defaults.MaxPingsOut;
        }
        if (options.Auth.Timeout == TimeSpan.Zero)
        {
            options.Auth.Timeout = defaults.Auth.Timeout;
        }
        if (options.MaxControlLine == 0)
        {
            options.MaxControlLine = defaults.MaxControlLine;
        }
        if (options.MaxPayload == 0)
        {
            options.MaxPayload = defaults.MaxPayload;
        }
        if (options.MaxPending == 0)
        {
            options.MaxPending = defaults.MaxPending;
        }
        if (options.WriteDeadline == TimeSpan.Zero)
        {
            options.WriteDeadline = defaults.WriteDeadline;
        }
        if (options.LameDuckDuration == TimeSpan.Zero)
        {
            options.LameDuckDuration = defaults.LameDuckDuration;
        }
        if (options.LameDuckGracePeriod == TimeSpan.Zero)
        {
            options.LameDuckGracePeriod = defaults.LameDuckGracePeriod;
        }
        if (string.IsNullOrEmpty(options.Monitoring.BasePath))
        {
            options.Monitoring.BasePath = defaults.Monitoring.BasePath;
        }
        if (options.Cluster.Enabled)
        {
            if (string.IsNullOrEmpty(options.Cluster.Host))
            {
                options.Cluster.Host = Host;
            }
            if (options.Cluster.AuthTimeout == TimeSpan.Zero)
            {
                options.Cluster.AuthTimeout = defaults.Cluster.AuthTimeout;
            }
        }
    }
}
