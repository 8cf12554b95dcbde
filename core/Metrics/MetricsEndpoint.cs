using Nats.Core.Monitoring;

namespace Nats.Core.Metrics;

/// <summary><c>/metrics</c>: <see cref="NatsMetrics"/> in the Prometheus text exposition format.</summary>
internal static class MetricsEndpoint
{
    /// <summary>The content type Prometheus expects for text format 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static MonitoringResponse Handle(NatsServer server)
    {
        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        server.Metrics.WritePrometheusText(text);
        return new MonitoringResponse(text.ToString()) { ContentType = ContentType };
    }
}
