namespace Nats.Core.Config;

/// <summary>
/// For every kernel option: its name in the config file and whether it can change while
/// the server runs. A reload that changes a non-reloadable option is rejected with that
/// option's name. A unit test fails when an option is added without a decision here —
/// nats-server's safety net, copied.
/// </summary>
public static class ReloadPolicy
{
    private static readonly Dictionary<string, (string Option, bool Reloadable)> Table = new(StringComparer.Ordinal)
    {
        ["Host"] = ("host", false),
        ["Port"] = ("port", false),
        ["ServerName"] = ("server_name", false),
        ["Tags"] = ("server_tags", true),
        ["ClientAdvertise"] = ("client_advertise", false),
        ["MaxConnections"] = ("max_connections", true),
        ["MaxPayload"] = ("max_payload", true),
        ["MaxControlLine"] = ("max_control_line", true),
        ["MaxPending"] = ("max_pending", true),
        ["MaxSubscriptions"] = ("max_subscriptions", true),
        ["MaxSubscriptionTokens"] = ("max_subscription_tokens", true),
        ["PingInterval"] = ("ping_interval", true),
        ["MaxPingsOut"] = ("ping_max", true),
        ["WriteDeadline"] = ("write_deadline", true),
        ["NoHeaderSupport"] = ("no_header_support", false),
        ["DisableSublistCache"] = ("disable_sublist_cache", false),
        ["LameDuckDuration"] = ("lame_duck_duration", true),
        ["LameDuckGracePeriod"] = ("lame_duck_grace_period", true),
        ["Auth.Token"] = ("authorization.token", true),
        ["Auth.Username"] = ("authorization.user", true),
        ["Auth.Password"] = ("authorization.password", true),
        ["Auth.DefaultPermissions"] = ("authorization.permissions", true),
        ["Auth.Users"] = ("users", true),
        ["Auth.NKeys"] = ("nkeys", true),
        ["Auth.Timeout"] = ("authorization.timeout", true),
        ["Auth.NoAuthUser"] = ("no_auth_user", true),
        ["Auth.Chain"] = ("authorization.chain", true),
        ["Auth.Accounts"] = ("accounts", true),
        ["Auth.Mappings"] = ("mappings", true),
        ["Auth.SystemAccount"] = ("system_account", false),
        ["Auth.NoSystemAccount"] = ("no_system_account", false),
        ["Monitoring.Host"] = ("http_host", false),
        ["Monitoring.Port"] = ("http_port", false),
        ["Monitoring.BasePath"] = ("http_base_path", false),
        ["Logging.Debug"] = ("debug", true),
        ["Logging.Trace"] = ("trace", true),
        ["Logging.TraceVerbose"] = ("trace_verbose", true),
        ["Logging.MaxTracedMessageLength"] = ("max_traced_msg_len", true),
        ["Logging.LogMaxFiles"] = ("logfile_max_num", true),
        ["Logging.LogTime"] = ("logtime", true),
        ["Logging.LogTimeUtc"] = ("logtime_utc", true),
        ["Logging.LogFile"] = ("log_file", true),
        ["Logging.LogSizeLimit"] = ("logfile_size_limit", true),
        ["Logging.Syslog"] = ("syslog", true),
        ["Cluster.Name"] = ("cluster.name", false),
        ["Cluster.Host"] = ("cluster.host", false),
        ["Cluster.Port"] = ("cluster.port", false),
        ["Cluster.Advertise"] = ("cluster.advertise", false),
        ["Cluster.NoAdvertise"] = ("cluster.no_advertise", true),
        ["Cluster.Routes"] = ("cluster.routes", true),
        ["Cluster.Username"] = ("cluster.authorization.user", true),
        ["Cluster.Password"] = ("cluster.authorization.password", true),
        ["Cluster.AuthTimeout"] = ("cluster.authorization.timeout", true),
        ["Cluster.ConnectRetries"] = ("cluster.connect_retries", true),
        ["Cluster.PoolSize"] = ("cluster.pool_size", false),
        ["Cluster.Tls"] = ("cluster.tls", true),
        ["PidFile"] = ("pid_file", false),
        ["PortsFileDir"] = ("ports_file_dir", false),
        ["ConfigFile"] = ("config file", true),
        ["ConfigDigest"] = ("config_digest", true),
        ["Sections"] = ("sections", true),
        // Command-line flags are re-applied on every reload, so they never change.
        ["Flags.JetStream"] = ("-js", false),
        ["Flags.StoreDir"] = ("-sd", false),
        ["Flags.Tls"] = ("--tls", false),
        ["Flags.TlsVerify"] = ("--tlsverify", false),
        ["Flags.TlsCert"] = ("--tlscert", false),
        ["Flags.TlsKey"] = ("--tlskey", false),
        ["Flags.TlsCaCert"] = ("--tlscacert", false),
        ["Flags.HttpsPort"] = ("--https_port", false),
        ["Flags.RemoteSyslog"] = ("--remote_syslog", false),
    };

    /// <summary>Paths with a decision (for the completeness test).</summary>
    public static IReadOnlyCollection<string> KnownPaths => Table.Keys;

    /// <summary>The config name of the option at <paramref name="path"/>.</summary>
    public static string OptionName(string path) => Table.TryGetValue(path, out var entry) ? entry.Option : path;

    /// <summary>Whether the option at <paramref name="path"/> may change live. Unknown paths may not.</summary>
    public static bool IsReloadable(string path) =>
        Table.TryGetValue(path, out var entry) && entry.Reloadable;
}
