using Nats.Core.Connections;

namespace Nats.Core.Config.Binding;

/// <summary>
/// Turns a parsed config file into <see cref="ServerOptions"/> the way nats-server interprets
/// it (its <c>processConfigFileLine</c>): same option names and aliases, same size and
/// duration rules, same checks and, where practical, the same error wording.
/// </summary>
/// <remarks>
/// <para>Like nats-server, binding reports every problem at once: errors are thrown together as
/// a <see cref="ConfigBindingException"/> (each naming <c>file:line:col</c> and the option);
/// warnings come back in <see cref="ConfigBindResult.Warnings"/>.</para>
/// <para>Top-level keys the kernel does not own (<c>jetstream</c>, <c>gateway</c>,
/// <c>leafnodes</c>, <c>mqtt</c>, <c>websocket</c>, <c>tls</c>, a third party's section…) are not
/// errors here: their raw values go to <see cref="ServerOptions.Sections"/> for plugins, and
/// are listed in <see cref="ConfigBindResult.Unclaimed"/> so the host can warn about the ones
/// no plugin claimed (<see cref="DescribeUnclaimed"/>).</para>
/// <para>Zero values mean "default", as in nats-server (<c>port: 0</c> is 4222,
/// <c>max_payload: 0</c> is 1MB); see <see cref="ServerOptionsDefaults.ApplyBaseline"/>.</para>
/// </remarks>
public static class ServerOptionsBinder
{
    /// <summary>Parses and binds a config file; sets <see cref="ServerOptions.ConfigFile"/> and <see cref="ServerOptions.ConfigDigest"/>.</summary>
    /// <exception cref="ConfigException">The file can't be read or parsed (position included).</exception>
    /// <exception cref="ConfigBindingException">The file parses but some options are invalid.</exception>
    public static ConfigBindResult BindFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Bind(ConfParser.ParseFile(path), path);
    }

    /// <summary>
    /// Binds a parsed config onto fresh options with nats-server's defaults. When
    /// <paramref name="configFile"/> is given it is recorded, with the config's digest.
    /// </summary>
    /// <exception cref="ConfigBindingException">Some options are invalid.</exception>
    public static ConfigBindResult Bind(ConfMap config, string? configFile = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ctx = new BindContext();
        var options = new ServerOptions { ConfigFile = configFile };
        if (configFile is not null)
        {
            options.ConfigDigest = ConfigDigest.Compute(config);
        }
        if (config.Count == 0)
        {
            ctx.WarnPlain(new ConfPosition(configFile ?? "", 0, 0), "config has no values or is empty");
        }
        var sections = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        var unclaimed = new List<ConfEntry>();
        foreach (var entry in config)
        {
            if (!BindTopLevel(entry, config, options, ctx) && !entry.Value.IsUsedAsVariable)
            {
                sections[entry.Key] = entry.Value;
                unclaimed.Add(entry);
            }
        }
        AddNestedPluginSections(config, sections);
        options.Sections = sections;
        ServerOptionsDefaults.ApplyBaseline(options);
        if (ctx.Errors.Count > 0)
        {
            throw new ConfigBindingException(ctx.Errors, ctx.Warnings, unclaimed);
        }
        return new ConfigBindResult(options, config, ctx.Warnings, ctx.Ignored, unclaimed);
    }

    /// <summary>
    /// Settings nested in a block the kernel binds but a plugin applies (<c>authorization { auth_callout }</c>,
    /// which auth-jwt owns) go to <see cref="ServerOptions.Sections"/> under their dotted name, so
    /// that the plugin binds them like a top-level section (<c>Bind("authorization.auth_callout", …)</c>).
    /// </summary>
    private static void AddNestedPluginSections(ConfMap config, Dictionary<string, object?> sections)
    {
        if (!config.TryGet("authorization", out var authorization) || authorization is not ConfMap block)
        {
            return;
        }
        foreach (var key in (string[])["auth_callout", "auth_hook"])
        {
            if (block.TryGet(key, out var value))
            {
                sections["authorization." + key] = value;
            }
        }
    }

    /// <summary>Whether nats-server knows <paramref name="key"/> as a top-level option.</summary>
    public static bool IsNatsServerOption(string key) => NatsServerOptionNames.IsKnown(key);

    /// <summary>
    /// What to tell the operator about a top-level key nothing claimed: nats-server's
    /// <c>unknown field "x"</c> for a key nats-server doesn't know either, otherwise that the
    /// option is not supported by this server and is ignored.
    /// </summary>
    public static ConfigDiagnostic DescribeUnclaimed(ConfEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return IsNatsServerOption(entry.Key)
            ? ConfigDiagnostic.NotSupported(entry.KeyPosition, entry.Key)
            : ConfigDiagnostic.UnknownField(entry.KeyPosition, entry.Key);
    }

    /// <summary>Binds one top-level option; false when the kernel does not own the key.</summary>
    private static bool BindTopLevel(ConfEntry entry, ConfMap config, ServerOptions o, BindContext ctx)
    {
        switch (entry.Key.ToLowerInvariant())
        {
            case "listen":
                if (HostPort.TryParse(entry.Value, out var listen, out var listenError))
                {
                    o.Host = listen.Host;
                    o.Port = listen.Port;
                }
                else
                {
                    ctx.Error(entry, listenError!);
                }
                return true;
            case "host" or "net":
                if (ctx.TryString(entry, out var host))
                {
                    o.Host = host;
                }
                return true;
            case "port":
                if (ctx.TryInt(entry, out var port))
                {
                    o.Port = port;
                }
                return true;
            case "server_name":
                if (ctx.TryString(entry, out var serverName))
                {
                    if (serverName.Contains(' '))
                    {
                        ctx.Error(entry, "server name cannot contain spaces");
                    }
                    else
                    {
                        o.ServerName = serverName;
                    }
                }
                return true;
            case "server_tags":
                BindTags(entry, o, ctx);
                return true;
            case "client_advertise":
                if (ctx.TryString(entry, out var advertise))
                {
                    o.ClientAdvertise = advertise;
                }
                return true;
            case "max_connections" or "max_conn":
                // nats-server: 0 here means "accept no clients", unlike leaving it out.
                if (ctx.TryInt(entry, out var maxConnections))
                {
                    o.MaxConnections = maxConnections == 0 ? -1 : maxConnections;
                }
                return true;
            case "max_payload":
                if (TryNonNegativeInt(entry, ctx, out var maxPayload))
                {
                    o.MaxPayload = maxPayload;
                }
                return true;
            case "max_control_line":
                if (TryNonNegativeInt(entry, ctx, out var maxControlLine))
                {
                    o.MaxControlLine = maxControlLine;
                }
                return true;
            case "max_pending":
                if (ctx.TryLong(entry, out var maxPending))
                {
                    o.MaxPending = maxPending;
                }
                return true;
            case "max_subscriptions" or "max_subs":
                if (ctx.TryInt(entry, out var maxSubs))
                {
                    o.MaxSubscriptions = maxSubs;
                }
                return true;
            case "max_sub_tokens" or "max_subscription_tokens":
                BindMaxSubscriptionTokens(entry, o, ctx);
                return true;
            case "ping_interval":
                if (ctx.TryDuration(entry, out var pingInterval))
                {
                    o.PingInterval = pingInterval;
                }
                return true;
            case "ping_max":
                if (ctx.TryInt(entry, out var pingMax))
                {
                    o.MaxPingsOut = pingMax;
                }
                return true;
            case "write_deadline":
                if (ctx.TryDuration(entry, out var writeDeadline))
                {
                    o.WriteDeadline = writeDeadline;
                }
                return true;
            case "no_header_support":
                if (ctx.TryBool(entry, out var noHeaders))
                {
                    o.NoHeaderSupport = noHeaders;
                }
                return true;
            case "disable_sublist_cache" or "no_sublist_cache":
                if (ctx.TryBool(entry, out var noCache))
                {
                    o.DisableSublistCache = noCache;
                }
                return true;
            case "lame_duck_duration":
                BindLameDuckDuration(entry, o, ctx);
                return true;
            case "lame_duck_grace_period":
                BindLameDuckGracePeriod(entry, o, ctx);
                return true;
            case "http":
                if (HostPort.TryParse(entry.Value, out var http, out var httpError))
                {
                    o.Monitoring.Host = http.Host.Length == 0 ? null : http.Host;
                    o.Monitoring.Port = http.Port;
                }
                else
                {
                    ctx.Error(entry, httpError!);
                }
                return true;
            case "http_port" or "monitor_port":
                if (ctx.TryInt(entry, out var httpPort))
                {
                    o.Monitoring.Port = httpPort;
                }
                return true;
            case "http_base_path":
                if (ctx.TryString(entry, out var basePath))
                {
                    o.Monitoring.BasePath = basePath;
                }
                return true;
            case "debug":
                if (ctx.TryBool(entry, out var debug))
                {
                    o.Logging.Debug = debug;
                }
                return true;
            case "trace" or "trace_headers":
                if (ctx.TryBool(entry, out var trace))
                {
                    o.Logging.Trace = trace;
                }
                return true;
            case "trace_verbose":
                // Implies trace, as in nats-server.
                if (ctx.TryBool(entry, out var traceVerbose))
                {
                    o.Logging.TraceVerbose = traceVerbose;
                    o.Logging.Trace |= traceVerbose;
                }
                return true;
            case "max_traced_msg_len":
                if (ctx.TryLong(entry, out var maxTraced))
                {
                    o.Logging.MaxTracedMessageLength = (int)Math.Clamp(maxTraced, 0, int.MaxValue);
                }
                return true;
            case "logfile_max_num" or "log_max_num":
                if (ctx.TryLong(entry, out var maxFiles))
                {
                    o.Logging.LogMaxFiles = (int)Math.Clamp(maxFiles, 0, int.MaxValue);
                }
                return true;
            case "logtime":
                if (ctx.TryBool(entry, out var logTime))
                {
                    o.Logging.LogTime = logTime;
                }
                return true;
            case "logtime_utc":
                if (ctx.TryBool(entry, out var logTimeUtc))
                {
                    o.Logging.LogTimeUtc = logTimeUtc;
                }
                return true;
            case "logfile" or "log_file":
                if (ctx.TryString(entry, out var logFile))
                {
                    o.Logging.LogFile = logFile;
                }
                return true;
            case "logfile_size_limit" or "log_size_limit":
                if (ctx.TryLong(entry, out var logSize))
                {
                    o.Logging.LogSizeLimit = logSize;
                }
                return true;
            case "syslog":
                if (ctx.TryBool(entry, out var syslog))
                {
                    o.Logging.Syslog = syslog;
                }
                return true;
            case "pidfile" or "pid_file":
                if (ctx.TryString(entry, out var pidFile))
                {
                    o.PidFile = pidFile;
                }
                return true;
            case "ports_file_dir":
                if (ctx.TryString(entry, out var portsDir))
                {
                    o.PortsFileDir = portsDir;
                }
                return true;
            case "authorization":
                AuthorizationBinder.BindTopLevel(entry, o.Auth, ctx);
                return true;
            case "accounts":
                AccountsBinder.Bind(entry, o.Auth, ctx);
                return true;
            case "mappings" or "maps":
                o.Auth.Mappings.AddRange(MappingsBinder.Bind(entry, ctx));
                return true;
            case "no_auth_user":
                if (ctx.TryString(entry, out var noAuthUser))
                {
                    o.Auth.NoAuthUser = noAuthUser.Length == 0 ? null : noAuthUser;
                }
                return true;
            case "system_account":
                if (ctx.TryString(entry, out var systemAccount))
                {
                    o.Auth.SystemAccount = systemAccount;
                }
                return true;
            case "system":
                // The short spelling; system_account wins when both are present, as in nats-server.
                if (!config.ContainsKey("system_account"))
                {
                    if (ctx.TryString(entry, out var system))
                    {
                        o.Auth.SystemAccount = system;
                    }
                }
                return true;
            case "no_system_account" or "no_system" or "no_sys_acc":
                if (ctx.TryBool(entry, out var noSystem))
                {
                    o.Auth.NoSystemAccount = noSystem;
                }
                return true;
            case "cluster":
                ClusterBinder.Bind(entry, o.Cluster, ctx);
                return true;
            default:
                return false;
        }
    }

    // As jwt.TagList.Add: trimmed, empty ones dropped, each once; a string or a list of strings.
    private static void BindTags(ConfEntry entry, ServerOptions o, BindContext ctx)
    {
        var tags = new List<string>();
        void Add(string tag)
        {
            tag = tag.Trim();
            if (tag.Length > 0 && !tags.Contains(tag))
            {
                tags.Add(tag);
            }
        }
        switch (entry.Value)
        {
            case ConfString one:
                Add(one.Value);
                break;
            case ConfList list:
                foreach (var item in list)
                {
                    if (item is not ConfString tag)
                    {
                        ctx.Error(entry, $"error parsing tags: unsupported type {item.Describe()} where string is expected");
                        return;
                    }
                    Add(tag.Value);
                }
                break;
            default:
                ctx.Error(entry, $"error parsing tags: unsupported type {entry.Value.Describe()}");
                return;
        }
        o.Tags = tags;
    }

    private static bool TryNonNegativeInt(ConfEntry entry, BindContext ctx, out int value)
    {
        if (!ctx.TryInt(entry, out value))
        {
            return false;
        }
        if (value < 0)
        {
            // nats-server takes a negative size and then refuses every message; say so up front.
            ctx.Error(entry, $"{entry.Key} value can not be negative");
            return false;
        }
        return true;
    }

    private static void BindMaxSubscriptionTokens(ConfEntry entry, ServerOptions o, BindContext ctx)
    {
        if (!ctx.TryLong(entry, out var tokens))
        {
            return;
        }
        if (tokens > byte.MaxValue)
        {
            ctx.Error(entry, $"{entry.Key} value is too big");
        }
        else if (tokens <= 0)
        {
            ctx.Error(entry, $"{entry.Key} value can not be negative");
        }
        else
        {
            o.MaxSubscriptionTokens = (int)tokens;
        }
    }

    private static void BindLameDuckDuration(ConfEntry entry, ServerOptions o, BindContext ctx)
    {
        if (!ctx.TryDuration(entry, out var duration))
        {
            return;
        }
        if (duration < TimeSpan.FromSeconds(30))
        {
            ctx.Error(entry, $"invalid lame_duck_duration of {GoText.Duration(duration)}, minimum is 30 seconds");
            return;
        }
        o.LameDuckDuration = duration;
    }

    private static void BindLameDuckGracePeriod(ConfEntry entry, ServerOptions o, BindContext ctx)
    {
        if (!ctx.TryDuration(entry, out var grace))
        {
            return;
        }
        if (grace < TimeSpan.Zero)
        {
            ctx.Error(entry, "invalid lame_duck_grace_period, needs to be positive");
            return;
        }
        o.LameDuckGracePeriod = grace;
    }
}
