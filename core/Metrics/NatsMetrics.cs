using System.Diagnostics.Metrics;

namespace Nats.Core.Metrics;

/// <summary>
/// The server's metrics: one <see cref="System.Diagnostics.Metrics.Meter"/> named
/// <see cref="MeterName"/> per server, whose observable instruments read counters the server
/// keeps anyway (nothing is added to the message path). The instrument names and labels are
/// those prometheus-nats-exporter derives from <c>/varz</c>, <c>/connz</c>, <c>/routez</c>,
/// <c>/subsz</c> and <c>/accstatz</c> (<c>gnatsd_varz_in_msgs{server_id="…"}</c>…), so the NATS
/// Grafana dashboards work unchanged on <c>/metrics</c>, and an application that exports the
/// meter through OpenTelemetry (<c>AddMeter("Nats.Server")</c>) gets the same series.
/// </summary>
/// <remarks>
/// <para>
/// <b>Contributing metrics</b> (plugins: <c>gnatsd_gatewayz_*</c>, <c>gnatsd_leafz_*</c>,
/// <c>jetstream_*</c>…): create <em>observable</em> instruments on <see cref="Meter"/> named as
/// prometheus-nats-exporter names them, whose callbacks read counters the plugin already keeps,
/// and tag every measurement with <see cref="ServerIdTag"/> first (plus the exporter's other
/// labels). <c>/metrics</c> serves every observable instrument of this meter, with the
/// instrument's description as its help text; synchronous instruments (<c>Counter&lt;T&gt;.Add</c>)
/// reach OpenTelemetry but not <c>/metrics</c>, which aggregates nothing on the message path.
/// </para>
/// <example><code>
/// var metrics = context.Server.Metrics;
/// metrics.Meter.CreateObservableGauge("gnatsd_leafz_conn_in_msgs", () => Sample(metrics.ServerIdTag),
///     description: "Messages received over leaf node connections");
/// </code></example>
/// </remarks>
public sealed class NatsMetrics : IDisposable
{
    /// <summary>The meter's name, for <c>AddMeter</c> in an OpenTelemetry pipeline.</summary>
    public const string MeterName = "Nats.Server";

    private readonly PrometheusExposition _exposition;

    internal NatsMetrics(NatsServer server)
    {
        Meter = new Meter(MeterName, ServerVersion.Product);
        ServerIdTag = new KeyValuePair<string, object?>("server_id", server.ServerId);
        ServerTags = [ServerIdTag];
        _exposition = new PrometheusExposition(Meter);
        KernelInstruments.Register(server, this);
    }

    /// <summary>This server's meter. Instruments created on it are served on <c>/metrics</c> (observable ones).</summary>
    public Meter Meter { get; }

    /// <summary>The <c>server_id</c> label every series carries, as prometheus-nats-exporter sets it.</summary>
    public KeyValuePair<string, object?> ServerIdTag { get; }

    /// <summary>Just <see cref="ServerIdTag"/>, for measurements with no other label (one array, shared).</summary>
    internal KeyValuePair<string, object?>[] ServerTags { get; }

    /// <summary>
    /// Writes every observable instrument of <see cref="Meter"/> in the Prometheus text
    /// exposition format (version 0.0.4), as <c>/metrics</c> serves it.
    /// </summary>
    public void WritePrometheusText(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _exposition.Write(writer);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _exposition.Dispose();
        Meter.Dispose();
    }
}
