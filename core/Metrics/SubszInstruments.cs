using Nats.Core.Monitoring;
using static Nats.Core.Metrics.KernelInstruments;

namespace Nats.Core.Metrics;

/// <summary><c>gnatsd_subsz_*</c> and <c>gnatsd_routez_num_routes</c>: the statistics <c>/subsz</c> and <c>/routez</c> report.</summary>
internal static class SubszInstruments
{
    public static void Register(NatsServer server, NatsMetrics metrics)
    {
        var subsz = new Snapshot<Subsz>(() => server.IsRunning ? SubszEndpoint.Build(server, new SubszOptions()) : null);
        Gauge(metrics, subsz, "gnatsd_subsz_num_subscriptions", "Subscriptions in all accounts", s => s.NumSubscriptions);
        Gauge(metrics, subsz, "gnatsd_subsz_num_cache", "Subjects in the match caches", s => s.NumCache);
        Counter(metrics, subsz, "gnatsd_subsz_num_inserts", "Subscriptions inserted since start", s => (long)s.NumInserts);
        Counter(metrics, subsz, "gnatsd_subsz_num_removes", "Subscriptions removed since start", s => (long)s.NumRemoves);
        Counter(metrics, subsz, "gnatsd_subsz_num_matches", "Subject matches since start", s => (long)s.NumMatches);
        Gauge(metrics, subsz, "gnatsd_subsz_cache_hit_rate", "Share of matches answered by the cache", s => s.CacheHitRate);
        Gauge(metrics, subsz, "gnatsd_subsz_max_fanout", "Largest fan-out in the caches", s => s.MaxFanout);
        Gauge(metrics, subsz, "gnatsd_subsz_avg_fanout", "Average fan-out in the caches", s => s.AvgFanout);

        // nats-server answers /routez with no routes when not clustered; so does this.
        var routes = new Snapshot<object>(() => server.IsRunning ? server : null);
        Gauge(metrics, routes, "gnatsd_routez_num_routes", "Route connections open", _ => server.Routes?.Routes.Count ?? 0);
    }
}
