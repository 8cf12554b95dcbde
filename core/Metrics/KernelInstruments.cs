using System.Diagnostics.Metrics;
using Nats.Core.Monitoring;

namespace Nats.Core.Metrics;

/// <summary>
/// The kernel's instruments, named as prometheus-nats-exporter names what it reads from
/// <c>/varz</c>, <c>/connz</c>, <c>/routez</c>, <c>/subsz</c> and <c>/accstatz</c>. Each endpoint's
/// instruments read one <see cref="Snapshot{T}"/> built by the endpoint's own code, so the
/// numbers are the ones the JSON endpoints show.
/// </summary>
internal static class KernelInstruments
{
    public static void Register(NatsServer server, NatsMetrics metrics)
    {
        VarzInstruments.Register(server, metrics);
        ConnzInstruments.Register(server, metrics);
        SubszInstruments.Register(server, metrics);
        AccountInstruments.Register(server, metrics);
    }

    /// <summary>A gauge with the <c>server_id</c> label whose value comes from <paramref name="snapshot"/> (none while it is null).</summary>
    public static void Gauge<TSource>(NatsMetrics metrics, Snapshot<TSource> snapshot, string name, string description, Func<TSource, double> read)
        where TSource : class =>
        metrics.Meter.CreateObservableGauge(name, () => snapshot.Value is { } value ? [new Measurement<double>(read(value), metrics.ServerTags)] : Array.Empty<Measurement<double>>(), description: description);

    /// <summary>A monotonic counter (so OpenTelemetry sees a sum) with the <c>server_id</c> label.</summary>
    public static void Counter<TSource>(NatsMetrics metrics, Snapshot<TSource> snapshot, string name, string description, Func<TSource, long> read)
        where TSource : class =>
        metrics.Meter.CreateObservableCounter(name, () => snapshot.Value is { } value ? [new Measurement<long>(read(value), metrics.ServerTags)] : Array.Empty<Measurement<long>>(), description: description);

    /// <summary>Milliseconds since the Unix epoch: the exporter's value for a time field (<c>start</c>, <c>config_load_time</c>).</summary>
    public static double UnixMilliseconds(DateTime time) => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
