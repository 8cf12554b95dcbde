using System.Diagnostics.Metrics;
using System.Globalization;
using Nats.Core.Metrics;
using Nats.Leafnode.Links;

namespace Nats.Leafnode.Monitoring;

/// <summary>
/// The <c>gnatsd_leafz_*</c> series prometheus-nats-exporter derives from <c>/leafz</c>
/// (collector/leafz.go), per leaf connection: <c>info</c> (value 1), <c>conn_rtt</c> (seconds),
/// <c>conn_in_msgs</c>, <c>conn_out_msgs</c>, <c>conn_in_bytes</c>, <c>conn_out_bytes</c>,
/// labelled <c>server_id</c>, <c>account</c>, <c>account_id</c>, <c>ip</c>, <c>port</c>,
/// <c>name</c>. Observable gauges read only when scraped. Left out, as the kernel leaves out
/// <c>gnatsd_connz_total</c>: the gauges named <c>…_total</c> (<c>conn_nodes_total</c>,
/// <c>conn_subscriptions_total</c>), which promtool refuses; <c>gnatsd_varz_leafnodes</c> has
/// the count. <c>conn_subscriptions</c> needs <c>subs=1</c>, which the exporter does not ask for.
/// </summary>
internal static class LeafMetrics
{
    public static void Register(NatsMetrics metrics, Func<LeafManager?> manager)
    {
        Gauge(metrics, manager, "info", "leaf node connections (value 1; who and where as labels)", _ => 1);
        Gauge(metrics, manager, "conn_rtt", "leaf node connection round trip time in seconds", l => l.Rtt.TotalSeconds);
        Gauge(metrics, manager, "conn_in_msgs", "messages received over the leaf node connection", l => l.InMessages);
        Gauge(metrics, manager, "conn_out_msgs", "messages sent over the leaf node connection", l => l.OutMessages);
        Gauge(metrics, manager, "conn_in_bytes", "bytes received over the leaf node connection", l => l.InBytes);
        Gauge(metrics, manager, "conn_out_bytes", "bytes sent over the leaf node connection", l => l.OutBytes);
    }

    private static void Gauge(NatsMetrics metrics, Func<LeafManager?> manager, string name, string help, Func<LeafConnection, double> read) =>
        metrics.Meter.CreateObservableGauge($"gnatsd_leafz_{name}", () => (manager()?.Connections ?? []).Select(leaf =>
        {
            var account = leaf.Account?.Name ?? "";
            return new Measurement<double>(read(leaf),
            [
                metrics.ServerIdTag,
                new("account", account),
                new("account_id", account),
                new("ip", leaf.RemoteEndPoint?.Address.ToString() ?? ""),
                new("port", (leaf.RemoteEndPoint?.Port ?? 0).ToString(CultureInfo.InvariantCulture)),
                new("name", leaf.RemoteServerName ?? ""),
            ]);
        }).ToList(), description: help);
}
