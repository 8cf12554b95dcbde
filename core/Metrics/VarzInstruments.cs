using System.Diagnostics.Metrics;
using Nats.Core.Monitoring;
using static Nats.Core.Metrics.KernelInstruments;

namespace Nats.Core.Metrics;

/// <summary>
/// <c>gnatsd_varz_*</c>: the numbers of <c>/varz</c> (built by <c>/varz</c>'s own code, plugins'
/// contributions included), and its <c>server_name</c> and <c>version</c> as label gauges
/// (<c>{value="…"} 1</c>) the way the exporter turns those strings into series.
/// </summary>
internal static class VarzInstruments
{
    public static void Register(NatsServer server, NatsMetrics metrics)
    {
        var usage = new ProcessUsage();
        var varz = new Snapshot<Varz>(() => server.IsRunning ? VarzEndpoint.Build(server, server.Monitoring, usage) : null);

        Gauge(metrics, varz, "gnatsd_varz_connections", "Client connections open", v => v.Connections);
        Counter(metrics, varz, "gnatsd_varz_total_connections", "Client connections accepted since start", v => v.TotalConnections);
        Gauge(metrics, varz, "gnatsd_varz_subscriptions", "Subscriptions in all accounts", v => v.Subscriptions);
        Gauge(metrics, varz, "gnatsd_varz_routes", "Route connections open", v => v.Routes);
        Gauge(metrics, varz, "gnatsd_varz_remotes", "Remote servers connected by routes", v => v.Remotes);
        Gauge(metrics, varz, "gnatsd_varz_leafnodes", "Leaf node connections open", v => v.Leafnodes);
        Counter(metrics, varz, "gnatsd_varz_in_msgs", "Messages received", v => v.InMsgs);
        Counter(metrics, varz, "gnatsd_varz_out_msgs", "Messages sent", v => v.OutMsgs);
        Counter(metrics, varz, "gnatsd_varz_in_bytes", "Payload bytes received", v => v.InBytes);
        Counter(metrics, varz, "gnatsd_varz_out_bytes", "Payload bytes sent", v => v.OutBytes);
        Counter(metrics, varz, "gnatsd_varz_slow_consumers", "Connections closed as slow consumers", v => v.SlowConsumers);
        Counter(metrics, varz, "gnatsd_varz_stale_connections", "Connections closed as stale", v => v.StaleConnections);
        Counter(metrics, varz, "gnatsd_varz_slow_consumer_stats_clients", "Client connections closed as slow consumers", v => (long)v.SlowConsumerStats.Clients);
        Counter(metrics, varz, "gnatsd_varz_stale_connection_stats_clients", "Client connections closed as stale", v => (long)v.StaleConnectionStats.Clients);
        Gauge(metrics, varz, "gnatsd_varz_mem", "Resident memory in bytes", v => v.Mem);
        Gauge(metrics, varz, "gnatsd_varz_cpu", "CPU use in percent of one core", v => v.Cpu);
        Gauge(metrics, varz, "gnatsd_varz_cores", "Processor cores", v => v.Cores);
        Gauge(metrics, varz, "gnatsd_varz_gomaxprocs", "Processors the runtime schedules on", v => v.MaxProcs);
        Gauge(metrics, varz, "gnatsd_varz_start", "Start time, milliseconds since the Unix epoch", v => UnixMilliseconds(v.Start));
        Gauge(metrics, varz, "gnatsd_varz_config_load_time", "Time the configuration in force was loaded, milliseconds since the Unix epoch", v => UnixMilliseconds(v.ConfigLoadTime));
        Gauge(metrics, varz, "gnatsd_varz_proto", "Client protocol version", v => v.Proto);
        Gauge(metrics, varz, "gnatsd_varz_port", "Client port", v => v.Port);
        Gauge(metrics, varz, "gnatsd_varz_http_port", "Monitoring port", v => v.HttpPort);
        Gauge(metrics, varz, "gnatsd_varz_max_connections", "Most client connections allowed", v => v.MaxConnections);
        Gauge(metrics, varz, "gnatsd_varz_max_payload", "Largest payload allowed, bytes", v => v.MaxPayload);
        Gauge(metrics, varz, "gnatsd_varz_max_pending", "Most bytes pending for a connection", v => v.MaxPending);
        Gauge(metrics, varz, "gnatsd_varz_max_control_line", "Longest protocol line allowed, bytes", v => v.MaxControlLine);
        Gauge(metrics, varz, "gnatsd_varz_ping_interval", "Interval between server PINGs, nanoseconds", v => v.PingInterval.Ticks * 100.0);
        Gauge(metrics, varz, "gnatsd_varz_ping_max", "Unanswered PINGs before a connection is stale", v => v.PingMax);
        Gauge(metrics, varz, "gnatsd_varz_write_deadline", "Write deadline, nanoseconds", v => v.WriteDeadline.Ticks * 100.0);
        Gauge(metrics, varz, "gnatsd_varz_auth_timeout", "Authentication timeout, seconds", v => v.AuthTimeout);
        Gauge(metrics, varz, "gnatsd_varz_tls_timeout", "TLS handshake timeout, seconds", v => v.TlsTimeout);
        Label(metrics, varz, "gnatsd_varz_server_name", "The server name, as the value label", v => v.ServerName);
        Label(metrics, varz, "gnatsd_varz_version", "The nats-server version matched, as the value label", v => v.Version);
    }

    // The exporter's label gauge: constant 1 with the string in a "value" label.
    private static void Label(NatsMetrics metrics, Snapshot<Varz> varz, string name, string description, Func<Varz, string> read) =>
        metrics.Meter.CreateObservableGauge(name, () => varz.Value is { } v
            ? [new Measurement<int>(1, metrics.ServerIdTag, new KeyValuePair<string, object?>("value", read(v)))]
            : Array.Empty<Measurement<int>>(), description: description);
}
