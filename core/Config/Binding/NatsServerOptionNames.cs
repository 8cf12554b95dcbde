namespace Nats.Core.Config.Binding;

/// <summary>
/// Every top-level option nats-server understands (its <c>processConfigFileLine</c>), so that
/// a key the kernel leaves to plugins can be told apart from a typo: nats-server rejects a key
/// it does not know with <c>unknown field</c>, while one it knows that no loaded plugin handles
/// is only "not supported here".
/// </summary>
internal static class NatsServerOptionNames
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "listen", "client_advertise", "port", "server_name", "host", "net", "debug", "trace",
        "trace_verbose", "trace_headers", "logtime", "logtime_utc", "mappings", "maps",
        "disable_sublist_cache", "no_sublist_cache", "accounts", "default_sentinel", "authorization",
        "http", "https", "http_port", "monitor_port", "https_port", "http_base_path", "cluster",
        "gateway", "leaf", "leafnodes", "store_dir", "storedir", "jetstream", "logfile", "log_file",
        "logfile_size_limit", "log_size_limit", "logfile_max_num", "log_max_num", "syslog",
        "remote_syslog", "pidfile", "pid_file", "ports_file_dir", "prof_port", "prof_block_rate",
        "max_control_line", "max_payload", "max_pending", "proxy_protocol", "max_connections",
        "max_conn", "max_traced_msg_len", "max_subscriptions", "max_subs", "max_sub_tokens",
        "max_subscription_tokens", "ping_interval", "ping_max", "tls", "ocsp", "allow_non_tls",
        "write_deadline", "write_timeout", "lame_duck_duration", "lame_duck_grace_period",
        "operator", "operators", "roots", "root", "root_operators", "root_operator", "resolver",
        "account_resolver", "accounts_resolver", "resolver_tls", "resolver_preload",
        "resolver_pinned_accounts", "no_auth_user", "system_account", "system", "no_system_account",
        "no_system", "no_sys_acc", "no_header_support", "trusted", "trusted_keys",
        "connect_error_reports", "reconnect_error_reports", "websocket", "ws", "mqtt", "server_tags",
        "server_metadata", "feature_flags", "default_js_domain", "ocsp_cache",
        "no_fast_producer_stall", "max_closed_clients", "proxies",
    };

    public static bool IsKnown(string key) => Names.Contains(key);
}
