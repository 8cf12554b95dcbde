namespace Nats.Core.Config;

/// <summary>
/// Everything the kernel is configured with, with nats-server's defaults. A running server
/// treats an instance as immutable: a reload builds a new one and swaps it in whole.
/// </summary>
public sealed class ServerOptions
{
    /// <summary>Client listen host (<c>host</c>, <c>-a</c>).</summary>
    public string Host { get; set; } = "0.0.0.0";

    /// <summary>Client listen port (<c>port</c>, <c>-p</c>); -1 picks a random free port, as in nats-server.</summary>
    public int Port { get; set; } = 4222;

    /// <summary>Server name (<c>server_name</c>, <c>-n</c>); defaults to the server id.</summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// <c>server_tags</c>: labels in the <c>server</c> block of <c>$SYS</c> messages, which
    /// requests can filter on (<c>{"tags":["az:1"]}</c>) and JetStream placement uses.
    /// </summary>
    public IReadOnlyList<string> Tags { get; set; } = [];

    /// <summary>Address advertised to clients in connect_urls (<c>client_advertise</c>).</summary>
    public string? ClientAdvertise { get; set; }

    /// <summary><c>max_connections</c>.</summary>
    public int MaxConnections { get; set; } = 64 * 1024;

    /// <summary><c>max_payload</c> in bytes.</summary>
    public int MaxPayload { get; set; } = 1024 * 1024;

    /// <summary><c>max_control_line</c> in bytes.</summary>
    public int MaxControlLine { get; set; } = 4096;

    /// <summary><c>max_pending</c>: bytes queued for one client before it is a slow consumer.</summary>
    public long MaxPending { get; set; } = 64L * 1024 * 1024;

    /// <summary><c>max_subscriptions</c> per connection; 0 is unlimited.</summary>
    public int MaxSubscriptions { get; set; }

    /// <summary><c>max_subscription_tokens</c>; 0 is unlimited.</summary>
    public int MaxSubscriptionTokens { get; set; }

    /// <summary><c>ping_interval</c>.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary><c>ping_max</c>: unanswered PINGs before a connection is stale.</summary>
    public int MaxPingsOut { get; set; } = 2;

    /// <summary><c>write_deadline</c>: longest a single write to a peer may take.</summary>
    public TimeSpan WriteDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>no_header_support</c>.</summary>
    public bool NoHeaderSupport { get; set; }

    /// <summary><c>disable_sublist_cache</c>.</summary>
    public bool DisableSublistCache { get; set; }

    /// <summary><c>lame_duck_duration</c>.</summary>
    public TimeSpan LameDuckDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary><c>lame_duck_grace_period</c>.</summary>
    public TimeSpan LameDuckGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Authentication and accounts.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Monitoring HTTP endpoint.</summary>
    public MonitoringOptions Monitoring { get; set; } = new();

    /// <summary>Logging.</summary>
    public LoggingOptions Logging { get; set; } = new();

    /// <summary>Clustering with routes.</summary>
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>PID file (<c>pid_file</c>, <c>-P</c>).</summary>
    public string? PidFile { get; set; }

    /// <summary>Ports file directory (<c>ports_file_dir</c>).</summary>
    public string? PortsFileDir { get; set; }

    /// <summary>The configuration file this came from, if any.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>SHA-256 of the parsed configuration (<c>config_digest</c>), when loaded from a file.</summary>
    public string? ConfigDigest { get; set; }

    /// <summary>Command-line flags for features outside the kernel (<c>-js</c>, <c>-sd</c>, <c>--tls*</c>…), for their owners to apply.</summary>
    public FlagOverrides Flags { get; set; } = new();

    /// <summary>Top-level sections no kernel option claimed, for plugins to bind (for example <c>jetstream</c>).</summary>
    public IReadOnlyDictionary<string, object?> Sections { get; set; } = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A shallow copy (nested option objects are shared; replace them rather than mutate).</summary>
    public ServerOptions Clone() => (ServerOptions)MemberwiseClone();
}

/// <summary>Monitoring endpoint options.</summary>
public sealed class MonitoringOptions
{
    /// <summary><c>http_host</c>; defaults to the client host.</summary>
    public string? Host { get; set; }

    /// <summary><c>http_port</c> / <c>-m</c>; 0 = disabled, -1 = random port.</summary>
    public int Port { get; set; }

    /// <summary><c>http_base_path</c>.</summary>
    public string BasePath { get; set; } = "/";
}

/// <summary>Logging options.</summary>
public sealed class LoggingOptions
{
    /// <summary><c>debug</c> / <c>-D</c>.</summary>
    public bool Debug { get; set; }

    /// <summary><c>trace</c> / <c>-V</c>: every protocol line of every connection, at trace level.</summary>
    public bool Trace { get; set; }

    /// <summary>
    /// <c>trace_verbose</c> / <c>-VV</c>: trace, and in nats-server the system account's own
    /// traffic as well; here the system services are in-process and have no protocol lines,
    /// so it traces what <see cref="Trace"/> does.
    /// </summary>
    public bool TraceVerbose { get; set; }

    /// <summary><c>max_traced_msg_len</c> / <c>--max_traced_msg_len</c>: payload bytes a trace line shows; 0 = all.</summary>
    public int MaxTracedMessageLength { get; set; }

    /// <summary><c>logtime</c>; timestamps on log lines.</summary>
    public bool LogTime { get; set; } = true;

    /// <summary><c>logtime_utc</c>.</summary>
    public bool LogTimeUtc { get; set; }

    /// <summary><c>log_file</c> / <c>-l</c>.</summary>
    public string? LogFile { get; set; }

    /// <summary><c>logfile_size_limit</c> in bytes: the log file is rotated when it reaches it; 0 = never.</summary>
    public long LogSizeLimit { get; set; }

    /// <summary><c>logfile_max_num</c>: log files kept, the live one and its backups together (the oldest backups are deleted); 0 = all.</summary>
    public int LogMaxFiles { get; set; }

    /// <summary><c>syslog</c> is accepted for compatibility; lines go to the log file or stderr.</summary>
    public bool Syslog { get; set; }
}
