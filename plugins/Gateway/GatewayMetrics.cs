using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Nats.Core.Metrics;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;

namespace Nats.Gateway;

/// <summary>
/// The <c>gnatsd_gatewayz_*</c> series prometheus-nats-exporter derives from <c>/gatewayz</c>
/// (collector/gatewayz.go): for outbound and inbound gateway connections alike, <c>_info</c>
/// (value 0, the times as labels), <c>_configured</c>, and per connection <c>_conn_rtt</c>
/// (seconds), <c>_conn_pending_bytes</c>, <c>_conn_in_msgs</c>, <c>_conn_out_msgs</c>,
/// <c>_conn_in_bytes</c>, <c>_conn_out_bytes</c>, <c>_conn_subscriptions</c>, labelled
/// <c>server_id</c>, <c>gateway_name</c>, <c>remote_gateway_name</c> and (per connection) <c>cid</c>.
/// Observable gauges on the server's meter: read only when scraped, from the counters the
/// connections keep anyway.
/// </summary>
internal static class GatewayMetrics
{
    public static void Register(IServerContext context, GatewayManager manager)
    {
        var metrics = context.Server.Metrics;
        foreach (var outbound in new[] { true, false })
        {
            var kind = outbound ? "outbound_gateway" : "inbound_gateway";
            var direction = outbound ? "outbound" : "inbound";
            var source = new Connections(manager, outbound);
            metrics.Meter.CreateObservableGauge($"gnatsd_gatewayz_{kind}_info",
                () => source.Read(metrics, c => 0, (c, tags) =>
                {
                    var now = DateTime.UtcNow;
                    tags.Add(new("start", GoTime(c.StartTime)));
                    tags.Add(new("last_activity", GoTime(c.LastActivity)));
                    tags.Add(new("uptime", GoFormat.Uptime(now - c.StartTime)));
                    tags.Add(new("idle", GoFormat.Uptime(now - c.LastActivity)));
                }, withCid: false),
                description: $"info of {direction} gateway connections (value 0; times as labels)");
            metrics.Meter.CreateObservableGauge($"gnatsd_gatewayz_{kind}_configured",
                () => source.Read(metrics, c => (outbound ? c.Remote is { IsImplicit: false } : manager.IsConfigured(c.RemoteName!)) ? 1 : 0, null, withCid: false),
                description: $"whether the {direction} gateway is in this server's config (1) or was discovered (0)");
            Connection(metrics, source, kind, "rtt", "round trip time in seconds", c => c.Rtt.TotalSeconds);
            Connection(metrics, source, kind, "pending_bytes", "bytes waiting to be written", c => c.PendingBytes);
            Connection(metrics, source, kind, "in_msgs", "messages received", c => c.InMessages);
            Connection(metrics, source, kind, "out_msgs", "messages sent", c => c.OutMessages);
            Connection(metrics, source, kind, "in_bytes", "bytes received", c => c.InBytes);
            Connection(metrics, source, kind, "out_bytes", "bytes sent", c => c.OutBytes);
            Connection(metrics, source, kind, "subscriptions", "subscriptions (outbound: the remote's interest held)",
                c => outbound ? c.Interest?.Snapshot().Sum(a => a.Subscriptions) ?? 0 : 0);
        }
    }

    private static void Connection(NatsMetrics metrics, Connections source, string kind, string field, string help, Func<GatewayConnection, double> read) =>
        metrics.Meter.CreateObservableGauge($"gnatsd_gatewayz_{kind}_conn_{field}",
            () => source.Read(metrics, read, null, withCid: true), description: $"{kind.Replace('_', ' ')} connection: {help}");

    // Go's time.Time.String(), as the exporter writes start and last_activity.
    private static string GoTime(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.') + " +0000 UTC";

    /// <summary>The connections of one direction, taken once per scrape (every instrument of a scrape within 50 ms shares them).</summary>
    private sealed class Connections(GatewayManager manager, bool outbound)
    {
        private static readonly long Window = Stopwatch.Frequency / 20;

        // Scrapes may overlap (the HTTP server and an OpenTelemetry reader): the pair is swapped whole.
        private volatile Taken? _taken;

        public IEnumerable<Measurement<double>> Read(NatsMetrics metrics, Func<GatewayConnection, double> value,
            Action<GatewayConnection, List<KeyValuePair<string, object?>>>? more, bool withCid)
        {
            var taken = _taken;
            var now = Stopwatch.GetTimestamp();
            if (taken is null || now - taken.At > Window)
            {
                var (outboundList, inboundList) = manager.Connections();
                taken = new Taken(now, [.. (outbound ? outboundList : inboundList).Where(c => c.RemoteName is not null)]);
                _taken = taken;
            }
            var measurements = new List<Measurement<double>>(taken.List.Count);
            foreach (var connection in taken.List)
            {
                var tags = new List<KeyValuePair<string, object?>>(8)
                {
                    metrics.ServerIdTag,
                    new("gateway_name", manager.Name),
                    new("remote_gateway_name", connection.RemoteName),
                };
                if (withCid)
                {
                    tags.Add(new("cid", connection.Id.ToString(CultureInfo.InvariantCulture)));
                }
                more?.Invoke(connection, tags);
                measurements.Add(new Measurement<double>(value(connection), tags));
            }
            return measurements;
        }

        private sealed record Taken(long At, List<GatewayConnection> List);
    }
}
