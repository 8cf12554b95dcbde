using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Metrics;
using Nats.Core.Monitoring;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// The monitoring endpoints (<c>/varz</c>, <c>/connz</c>…). They always exist, so plugins
    /// can register theirs before start and endpoints can be called in-process; the HTTP
    /// listener runs when <c>http_port</c> is set (<see cref="MonitoringServer.Port"/> is then non-zero).
    /// </summary>
    public MonitoringServer Monitoring
    {
        get
        {
            var monitoring = Volatile.Read(ref _monitoring);
            if (monitoring is not null)
            {
                return monitoring;
            }
            var created = new MonitoringServer(Logger);
            MonitoringEndpoints.RegisterKernelEndpoints(this, created);
            return Interlocked.CompareExchange(ref _monitoring, created, null) ?? created;
        }
    }

    /// <summary>
    /// The server's <see cref="System.Diagnostics.Metrics.Meter"/> (<c>Nats.Server</c>) and the
    /// Prometheus text <c>/metrics</c> serves; plugins add their instruments here.
    /// </summary>
    public NatsMetrics Metrics
    {
        get
        {
            var metrics = Volatile.Read(ref _metrics);
            if (metrics is not null)
            {
                return metrics;
            }
            var created = new NatsMetrics(this);
            var winner = Interlocked.CompareExchange(ref _metrics, created, null);
            if (winner is not null)
            {
                created.Dispose();
                return winner;
            }
            return created;
        }
    }

    /// <summary>Open client connections, read without taking the table's locks (for metrics).</summary>
    internal IEnumerable<ClientConnection> LiveClients()
    {
        foreach (var entry in _clients)
        {
            yield return entry.Value;
        }
    }

    /// <summary>When the configuration in force was loaded: the start, or the last reload.</summary>
    public DateTime ConfigLoadTime
    {
        get
        {
            var ticks = Interlocked.Read(ref _configLoadTicks);
            return ticks == 0 ? StartTime : new DateTime(ticks, DateTimeKind.Utc);
        }
    }

    /// <summary>Records that a new configuration took effect (called by reload).</summary>
    internal void MarkConfigLoaded() => Interlocked.Exchange(ref _configLoadTicks, DateTime.UtcNow.Ticks);

    private async Task StartMonitoringAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        // The meter exists from the start, so an OpenTelemetry listener sees it without /metrics being asked.
        _ = Metrics;
        if (options.Monitoring.Port == 0)
        {
            return;
        }
        await Monitoring.StartAsync(Connections.HostPort.ToAddress(options.Monitoring.Host ?? options.Host), options.Monitoring.Port, options.Monitoring.BasePath, cancellationToken).ConfigureAwait(false);
    }

    private async Task StopMonitoringAsync()
    {
        if (_monitoring is not null)
        {
            await _monitoring.StopAsync().ConfigureAwait(false);
        }
    }

    private void DisposeMetrics() => Interlocked.Exchange(ref _metrics, null)?.Dispose();
}
