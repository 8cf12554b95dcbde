namespace Nats.Host.Cli;

/// <summary>
/// nats-server's command-line flags (its <c>ConfigureOptions</c>): every name and alias, and
/// the canonical key each one sets. Keeping the table in one place keeps the parser, the usage
/// text and the tests in step.
/// </summary>
internal static class ServerFlags
{
    public static readonly IReadOnlyList<(string Key, FlagKind Kind, string[] Names)> All =
    [
        ("help", FlagKind.Bool, ["h", "help"]),
        ("version", FlagKind.Bool, ["v", "version"]),
        ("help_tls", FlagKind.Bool, ["help_tls"]),
        ("config", FlagKind.String, ["c", "config"]),
        ("check_config", FlagKind.Bool, ["t"]),
        ("signal", FlagKind.String, ["sl", "signal"]),

        ("host", FlagKind.String, ["a", "addr", "net"]),
        ("port", FlagKind.Int, ["p", "port"]),
        ("server_name", FlagKind.String, ["n", "name", "server_name"]),
        ("pid", FlagKind.String, ["P", "pid"]),
        ("http_port", FlagKind.Int, ["m", "http_port"]),
        ("https_port", FlagKind.Int, ["ms", "https_port"]),
        ("client_advertise", FlagKind.String, ["client_advertise"]),
        ("ports_file_dir", FlagKind.String, ["ports_file_dir"]),

        ("log", FlagKind.String, ["l", "log"]),
        ("logtime", FlagKind.Bool, ["T", "logtime"]),
        ("logtime_utc", FlagKind.Bool, ["logtime_utc"]),
        ("syslog", FlagKind.Bool, ["s", "syslog"]),
        ("remote_syslog", FlagKind.String, ["r", "remote_syslog"]),
        ("debug", FlagKind.Bool, ["D", "debug"]),
        ("trace", FlagKind.Bool, ["V", "trace"]),
        ("VV", FlagKind.Bool, ["VV"]),
        ("DV", FlagKind.Bool, ["DV"]),
        ("DVV", FlagKind.Bool, ["DVV"]),
        ("log_size_limit", FlagKind.Int, ["log_size_limit"]),
        ("max_traced_msg_len", FlagKind.Int, ["max_traced_msg_len"]),

        ("jetstream", FlagKind.Bool, ["js", "jetstream"]),
        ("store_dir", FlagKind.String, ["sd", "store_dir"]),

        ("user", FlagKind.String, ["user"]),
        ("pass", FlagKind.String, ["pass"]),
        ("auth", FlagKind.String, ["auth"]),

        ("tls", FlagKind.Bool, ["tls"]),
        ("tlscert", FlagKind.String, ["tlscert"]),
        ("tlskey", FlagKind.String, ["tlskey"]),
        ("tlsverify", FlagKind.Bool, ["tlsverify"]),
        ("tlscacert", FlagKind.String, ["tlscacert"]),

        ("routes", FlagKind.String, ["routes"]),
        ("cluster", FlagKind.String, ["cluster", "cluster_listen"]),
        ("cluster_name", FlagKind.String, ["cluster_name"]),
        ("no_advertise", FlagKind.Bool, ["no_advertise"]),
        ("cluster_advertise", FlagKind.String, ["cluster_advertise"]),
        ("connect_retries", FlagKind.Int, ["connect_retries"]),

        ("profile", FlagKind.Int, ["profile"]),

        // Ours: nats-server has no plugins.
        ("plugins_dir", FlagKind.String, ["plugins_dir"]),
    ];

    private static readonly Dictionary<string, string> KeyByName =
        All.SelectMany(f => f.Names.Select(n => (Name: n, f.Key))).ToDictionary(x => x.Name, x => x.Key, StringComparer.Ordinal);

    /// <summary>A parser that knows every flag.</summary>
    public static GoFlagSet CreateParser()
    {
        var set = new GoFlagSet();
        foreach (var (_, kind, names) in All)
        {
            set.Define(kind, names);
        }
        return set;
    }

    /// <summary>The canonical key of a flag name (<c>p</c> → <c>port</c>).</summary>
    public static string KeyOf(string name) => KeyByName[name];
}
