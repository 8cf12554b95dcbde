namespace Nats.Core.Monitoring;

/// <summary>The kernel's monitoring endpoints, with nats-server's paths, titles and JSON field names.</summary>
internal static class MonitoringEndpoints
{
    public static void RegisterKernelEndpoints(NatsServer server, MonitoringServer monitoring)
    {
        var usage = new ProcessUsage();
        monitoring.Register("/", _ => RootPage.Handle(monitoring));
        monitoring.Register("/varz", _ => VarzEndpoint.Handle(server, monitoring, usage), "General");
        monitoring.Register("/connz", request => ConnzEndpoint.Handle(server, request), "Connections");
        monitoring.Register("/accountz", request => AccountzEndpoint.Handle(server, request), "Accounts");
        monitoring.Register("/accstatz", request => AccountStatzEndpoint.Handle(server, request), "Account Stats");
        monitoring.Register("/subsz", request => SubszEndpoint.Handle(server, request), "Subscriptions");
        // nats-server's older name for /subsz, still served.
        monitoring.Register("/subscriptionsz", request => SubszEndpoint.Handle(server, request));
        // Prometheus text, with prometheus-nats-exporter's names (no title: nats-server's root page has no such link).
        monitoring.Register("/metrics", _ => Metrics.MetricsEndpoint.Handle(server));
        monitoring.Register("/healthz", request => HealthzEndpoint.Handle(server, monitoring, request), "Health Probe");
    }
}
