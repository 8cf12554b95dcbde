using Nats.Core.Monitoring;
using static Nats.Core.Metrics.KernelInstruments;

namespace Nats.Core.Metrics;

/// <summary>
/// <c>gnatsd_connz_*</c>: what the exporter sums over <c>/connz</c>'s connections. The sums run
/// over every open client connection (the exporter sums the first page of 1024, which is all
/// of them on most servers); <c>num_connections</c>, <c>offset</c> and <c>limit</c> are what
/// <c>/connz</c> answers without parameters. The exporter's <c>gnatsd_connz_total</c> is left
/// out: Prometheus' own linter (<c>promtool check metrics</c>) refuses a gauge named <c>_total</c>,
/// and <c>gnatsd_varz_connections</c> carries the same number.
/// </summary>
internal static class ConnzInstruments
{
    public static void Register(NatsServer server, NatsMetrics metrics)
    {
        var connz = new Snapshot<Totals>(() => server.IsRunning ? Sum(server) : null);
        Gauge(metrics, connz, "gnatsd_connz_num_connections", "Connections on /connz's default page", t => Math.Min(t.Connections, ConnzDefaultLimit));
        Gauge(metrics, connz, "gnatsd_connz_offset", "Offset of /connz's default page", _ => 0);
        Gauge(metrics, connz, "gnatsd_connz_limit", "Size of /connz's default page", _ => ConnzDefaultLimit);
        Gauge(metrics, connz, "gnatsd_connz_pending_bytes", "Bytes waiting to be written to open connections", t => t.PendingBytes);
        Gauge(metrics, connz, "gnatsd_connz_subscriptions", "Subscriptions of open connections", t => t.Subscriptions);
        Gauge(metrics, connz, "gnatsd_connz_in_msgs", "Messages received from open connections", t => t.InMessages);
        Gauge(metrics, connz, "gnatsd_connz_out_msgs", "Messages sent to open connections", t => t.OutMessages);
        Gauge(metrics, connz, "gnatsd_connz_in_bytes", "Payload bytes received from open connections", t => t.InBytes);
        Gauge(metrics, connz, "gnatsd_connz_out_bytes", "Payload bytes sent to open connections", t => t.OutBytes);
    }

    private const int ConnzDefaultLimit = 1024;

    private static Totals Sum(NatsServer server)
    {
        var totals = new Totals();
        foreach (var client in server.LiveClients())
        {
            totals.Connections++;
            totals.PendingBytes += client.PendingBytes;
            totals.Subscriptions += client.SubscriptionCount;
            totals.InMessages += client.InMessages;
            totals.OutMessages += client.OutMessages;
            totals.InBytes += client.InBytes;
            totals.OutBytes += client.OutBytes;
        }
        return totals;
    }

    // Written only by the thread that computes it, then published whole.
    private sealed class Totals
    {
        public int Connections;
        public long PendingBytes;
        public long Subscriptions;
        public long InMessages;
        public long OutMessages;
        public long InBytes;
        public long OutBytes;
    }
}
