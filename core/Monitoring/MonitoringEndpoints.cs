namespace Nats.Core.Monitoring;

/// <summary>The kernel's monitoring endpoints, with nats-server's JSON field names.</summary>
internal static class MonitoringEndpoints
{
    public static void RegisterKernelEndpoints(NatsServer server, MonitoringServer monitoring)
    {
        monitoring.Register("/healthz", _ => new MonitoringResponse(new Dictionary<string, string> { ["status"] = "ok" }));
    }
}
