using Nats.Core;

namespace Nats.Host.Cli;

/// <summary>The texts of <c>--help</c>, <c>--version</c> and <c>--help_tls</c>, laid out like nats-server's.</summary>
internal static class UsageText
{
    /// <summary>The name this server answers to in messages, so scripts written for nats-server keep working.</summary>
    public const string ExeName = "nats-server";

    /// <summary><c>nats-server: v0.1.0 (NATS server for .NET, compatible with nats-server v2.11.0)</c>.</summary>
    public static string Version =>
        $"{ExeName}: v{ServerVersion.Product} ({ProductName}, compatible with nats-server v{ServerVersion.CompatibleNatsVersion})";

    /// <summary>The usage text (printed with a leading and a trailing blank line, as nats-server does).</summary>
    public static string Usage => $"""

        Usage: {ExeName} [options]

        {ProductName} v{ServerVersion.Product}, a drop-in replacement for nats-server v{ServerVersion.CompatibleNatsVersion}.

        Server Options:
            -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
            -p, --port <port>                Use port for clients (default: 4222)
            -n, --name
                --server_name <server_name>  Server name (default: auto)
            -P, --pid <file>                 File to store PID
            -m, --http_port <port>           Use port for http monitoring
            -ms,--https_port <port>          Use port for https monitoring
            -c, --config <file>              Configuration file
            -t                               Test configuration and exit
            -sl,--signal <signal>[=<pid>]    Send signal to nats-server process (ldm, stop, quit, term, reopen, reload)
                                             <pid> can be either a PID (e.g. 1) or the path to a PID file (e.g. /var/run/nats-server.pid)
                --client_advertise <string>  Client URL to advertise to other servers
                --ports_file_dir <dir>       Creates a ports file in the specified directory (<executable_name>_<pid>.ports).

        Logging Options:
            -l, --log <file>                 File to redirect log output
            -T, --logtime                    Timestamp log entries (default: true)
                --logtime_utc                Timestamps in UTC instead of local time zone
            -s, --syslog                     Log to syslog or windows event log
            -r, --remote_syslog <addr>       Syslog server addr (udp://localhost:514)
            -D, --debug                      Enable debugging output
            -V, --trace                      Trace the raw protocol
            -VV                              Verbose trace (traces system account as well)
            -DV                              Debug and trace
            -DVV                             Debug and verbose trace (traces system account as well)
                --log_size_limit <limit>     Logfile size limit (default: auto)
                --max_traced_msg_len <len>   Maximum printable length for traced messages (default: unlimited)

        JetStream Options:
            -js, --jetstream                 Enable JetStream functionality
            -sd, --store_dir <dir>           Set the storage directory

        Authorization Options:
                --user <user>                User required for connections
                --pass <password>            Password required for connections
                --auth <token>               Authorization token required for connections

        TLS Options:
                --tls                        Enable TLS, do not verify clients (default: false)
                --tlscert <file>             Server certificate file
                --tlskey <file>              Private key for server certificate
                --tlsverify                  Enable TLS, verify client certificates
                --tlscacert <file>           Client certificate CA for verification

        Cluster Options:
                --routes <rurl-1, rurl-2>    Routes to solicit and connect
                --cluster <cluster-url>      Cluster URL for solicited routes
                --cluster_name <string>      Cluster Name, if not set one will be dynamically generated
                --no_advertise <bool>        Do not advertise known cluster information to clients
                --cluster_advertise <string> Cluster URL to advertise to other servers
                --connect_retries <number>   For implicit routes, number of connect retries
                --cluster_listen <url>       Cluster url from which members can solicit routes

        Plugin Options:
                --plugins_dir <dir>          Also load the plugin folders <dir>/<Name>/ (overrides the config's plugins.dir)

        Profiling Options:
                --profile <port>             Profiling HTTP port (accepted, not supported)

        Common Options:
            -h, --help                       Show this message
            -v, --version                    Show version
                --help_tls                   TLS help

        """;

    /// <summary>The <c>--help_tls</c> text: how to write a <c>tls {}</c> block.</summary>
    public static string TlsHelp => """

        TLS configuration is specified in the tls section of a configuration file:

        e.g.

            tls {
                cert_file:      "./certs/server-cert.pem"
                key_file:       "./certs/server-key.pem"
                ca_file:        "./certs/ca.pem"
                verify:         true
                verify_and_map: true

                cipher_suites: [
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
                ]
                curve_preferences: [
                    "CurveP256",
                    "CurveP384",
                    "CurveP521"
                ]
            }

        Available cipher suites include:
            TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
            TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
            TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305
            TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
            TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
            TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305
            TLS_AES_128_GCM_SHA256
            TLS_AES_256_GCM_SHA384
            TLS_CHACHA20_POLY1305_SHA256

        Available curve preferences include:
            CurveP256
            CurveP384
            CurveP521
            X25519

        """;

    private static string ProductName =>
        typeof(ServerVersion).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyProductAttribute), false)
            .OfType<System.Reflection.AssemblyProductAttribute>().FirstOrDefault()?.Product ?? "NATS server for .NET";
}
