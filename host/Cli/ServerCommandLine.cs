using System.Text.RegularExpressions;
using Nats.Core.Config;

namespace Nats.Host.Cli;

/// <summary>
/// A parsed nats-server command line: what to do (help, version, signal, check the config,
/// run) and the option flags, kept in the order given so they can be re-applied over the
/// config file, at start and on every reload, as nats-server does.
/// </summary>
internal sealed partial class ServerCommandLine
{
    private readonly IReadOnlyList<GoFlagSet.Setting> _settings;

    private ServerCommandLine(GoFlagSet.Result parsed)
    {
        _settings = parsed.Settings;
        Arguments = parsed.Arguments;
        var warnings = new List<string>();
        foreach (var setting in _settings)
        {
            switch (ServerFlags.KeyOf(setting.Name))
            {
                case "help":
                    ShowHelp = setting.BoolValue;
                    break;
                case "version":
                    ShowVersion = setting.BoolValue;
                    break;
                case "help_tls":
                    ShowTlsHelp = setting.BoolValue;
                    break;
                case "config":
                    ConfigFile = setting.RawValue.Length == 0 ? null : setting.RawValue;
                    break;
                case "check_config":
                    CheckConfig = setting.BoolValue;
                    break;
                case "signal":
                    Signal = setting.RawValue.Length == 0 ? null : setting.RawValue;
                    break;
                case "plugins_dir":
                    PluginsDir = setting.RawValue.Length == 0 ? null : setting.RawValue;
                    break;
                case "profile":
                    warnings.Add($"-{setting.Name}: profiling is not supported by this server, the flag is ignored");
                    break;
                case "remote_syslog":
                    warnings.Add($"-{setting.Name}: remote syslog is not supported by this server, logging locally");
                    break;
            }
        }
        Warnings = warnings;
    }

    /// <summary><c>-h</c>/<c>--help</c>.</summary>
    public bool ShowHelp { get; }

    /// <summary><c>-v</c>/<c>--version</c>.</summary>
    public bool ShowVersion { get; }

    /// <summary><c>--help_tls</c>.</summary>
    public bool ShowTlsHelp { get; }

    /// <summary><c>-c</c>/<c>--config</c>.</summary>
    public string? ConfigFile { get; }

    /// <summary><c>-t</c>.</summary>
    public bool CheckConfig { get; }

    /// <summary><c>-sl</c>/<c>--signal</c>: <c>command[=pid|pidfile]</c>.</summary>
    public string? Signal { get; }

    /// <summary><c>--plugins_dir</c>: a directory of plugin folders, over the config's <c>plugins { dir }</c>.</summary>
    public string? PluginsDir { get; }

    /// <summary>Arguments after the flags (nats-server accepts only <c>version</c> and <c>help</c>).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Flags accepted but not acted upon, to log at start-up.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Parses <paramref name="args"/> with Go flag rules; throws <see cref="FlagParseException"/>.</summary>
    public static ServerCommandLine Parse(IReadOnlyList<string> args) => new(ServerFlags.CreateParser().Parse(args));

    /// <summary>
    /// Applies the option flags over <paramref name="options"/> (defaults, or what the config
    /// file set), in the order given so that the last of two aliases wins; then the flags
    /// nats-server post-processes (cluster URL, routes, TLS). Throws <see cref="CommandLineException"/>.
    /// </summary>
    public void ApplyTo(ServerOptions options)
    {
        string? clusterListen = null;
        string? routes = null;
        foreach (var setting in _settings)
        {
            var text = setting.RawValue;
            switch (ServerFlags.KeyOf(setting.Name))
            {
                case "host":
                    options.Host = text;
                    break;
                case "port":
                    options.Port = ToInt(setting);
                    break;
                case "server_name":
                    options.ServerName = NullIfEmpty(text);
                    break;
                case "pid":
                    options.PidFile = NullIfEmpty(text);
                    break;
                case "http_port":
                    options.Monitoring.Port = ToInt(setting);
                    break;
                case "https_port":
                    options.Flags.HttpsPort = ToInt(setting);
                    break;
                case "client_advertise":
                    options.ClientAdvertise = NullIfEmpty(text);
                    break;
                case "ports_file_dir":
                    options.PortsFileDir = NullIfEmpty(text);
                    break;
                case "log":
                    options.Logging.LogFile = NullIfEmpty(text);
                    break;
                case "logtime":
                    options.Logging.LogTime = setting.BoolValue;
                    break;
                case "logtime_utc":
                    options.Logging.LogTimeUtc = setting.BoolValue;
                    break;
                case "syslog":
                    options.Logging.Syslog = setting.BoolValue;
                    break;
                case "remote_syslog":
                    options.Flags.RemoteSyslog = NullIfEmpty(text);
                    break;
                case "debug":
                    options.Logging.Debug = setting.BoolValue;
                    break;
                case "trace":
                    options.Logging.Trace = setting.BoolValue;
                    break;
                case "VV":
                    options.Logging.Trace = setting.BoolValue;
                    options.Logging.TraceVerbose = setting.BoolValue;
                    break;
                case "DV":
                    options.Logging.Debug = setting.BoolValue;
                    options.Logging.Trace = setting.BoolValue;
                    break;
                case "DVV":
                    options.Logging.Debug = setting.BoolValue;
                    options.Logging.Trace = setting.BoolValue;
                    options.Logging.TraceVerbose = setting.BoolValue;
                    break;
                case "log_size_limit":
                    options.Logging.LogSizeLimit = setting.IntValue;
                    break;
                case "max_traced_msg_len":
                    options.Logging.MaxTracedMessageLength = Math.Max(0, ToInt(setting));
                    break;
                case "jetstream":
                    options.Flags.JetStream = setting.BoolValue;
                    break;
                case "store_dir":
                    options.Flags.StoreDir = NullIfEmpty(text);
                    break;
                case "user":
                    options.Auth.Username = NullIfEmpty(text);
                    break;
                case "pass":
                    options.Auth.Password = NullIfEmpty(text);
                    break;
                case "auth":
                    options.Auth.Token = NullIfEmpty(text);
                    break;
                case "tls":
                    options.Flags.Tls = setting.BoolValue;
                    break;
                case "tlsverify":
                    options.Flags.TlsVerify = setting.BoolValue;
                    break;
                case "tlscert":
                    options.Flags.TlsCert = NullIfEmpty(text);
                    break;
                case "tlskey":
                    options.Flags.TlsKey = NullIfEmpty(text);
                    break;
                case "tlscacert":
                    options.Flags.TlsCaCert = NullIfEmpty(text);
                    break;
                case "routes":
                    routes = text;
                    break;
                case "cluster":
                    clusterListen = text;
                    break;
                case "cluster_name":
                    options.Cluster.Name = NullIfEmpty(text);
                    break;
                case "no_advertise":
                    options.Cluster.NoAdvertise = setting.BoolValue;
                    break;
                case "cluster_advertise":
                    options.Cluster.Advertise = NullIfEmpty(text);
                    break;
                case "connect_retries":
                    options.Cluster.ConnectRetries = ToInt(setting);
                    break;
            }
        }
        if (clusterListen is not null)
        {
            OverrideCluster(options.Cluster, clusterListen);
        }
        if (routes is not null)
        {
            options.Cluster.Routes = ParseRoutes(routes);
        }
        CheckTls(options.Flags);
        // nats-server: --routes needs somewhere for the other servers to connect back to.
        if (!string.IsNullOrEmpty(routes) && string.IsNullOrEmpty(clusterListen) && options.Cluster.Port == 0)
        {
            throw new CommandLineException("solicited routes require cluster capabilities, e.g. --cluster");
        }
    }

    /// <summary>
    /// <c>--cluster nats://[user:pass@]host:port</c> (nats-server's <c>overrideCluster</c>):
    /// an empty URL turns clustering off; port -1 is a random port; without credentials in the
    /// URL, the config file's route credentials are dropped.
    /// </summary>
    private static void OverrideCluster(ClusterOptions cluster, string listen)
    {
        if (listen.Length == 0)
        {
            cluster.Port = 0;
            return;
        }
        var random = listen.EndsWith(":-1", StringComparison.Ordinal);
        var text = random ? listen[..^3] + ":0" : listen;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new CommandLineException($"could not parse cluster URL \"{listen}\"");
        }
        if (!PortSuffix().IsMatch(uri.Authority) && !random)
        {
            throw new CommandLineException($"address {uri.Authority}: missing port in address");
        }
        cluster.Host = uri.Host.Trim('[', ']');
        cluster.Port = random ? -1 : uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            if (colon < 0)
            {
                throw new CommandLineException("expected cluster password to be set");
            }
            cluster.Username = Uri.UnescapeDataString(uri.UserInfo[..colon]);
            cluster.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        else
        {
            cluster.Username = null;
            cluster.Password = null;
        }
    }

    /// <summary><c>--routes url1,url2</c>; an empty value clears the config file's routes.</summary>
    private static List<Uri> ParseRoutes(string routes)
    {
        var result = new List<Uri>();
        if (routes.Length == 0)
        {
            return result;
        }
        foreach (var part in routes.Split(','))
        {
            var route = part.Trim();
            if (!Uri.TryCreate(route, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                throw new CommandLineException($"error parsing route url [\"{route}\"]");
            }
            result.Add(uri);
        }
        return result;
    }

    // nats-server: any --tls* flag (unless --tls=false) replaces the config's TLS with one built from the flags.
    private static void CheckTls(FlagOverrides flags)
    {
        if (!flags.AnyTls || flags.Tls == false)
        {
            return;
        }
        if (flags.TlsCert is null)
        {
            throw new CommandLineException("TLS Server certificate must be present and valid");
        }
        if (flags.TlsKey is null)
        {
            throw new CommandLineException("TLS Server private key must be present and valid");
        }
    }

    private static int ToInt(GoFlagSet.Setting setting) =>
        setting.IntValue is >= int.MinValue and <= int.MaxValue
            ? (int)setting.IntValue
            : throw new CommandLineException($"invalid value \"{setting.RawValue}\" for flag -{setting.Name}: value out of range");

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    [GeneratedRegex(@":\d+$")]
    private static partial Regex PortSuffix();
}
