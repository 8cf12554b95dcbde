using Nats.Core.Config;
using Nats.Core.Monitoring;

namespace Nats.Core;

public sealed partial class NatsServer
{
    private MonitoringServer? _monitoring;

    /// <summary>The monitoring HTTP server, when <c>http_port</c> is set.</summary>
    public MonitoringServer? Monitoring => _monitoring;

    private async Task StartMonitoringAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        if (options.Monitoring.Port == 0)
        {
            return;
        }
        var monitoring = new MonitoringServer(Logger);
        MonitoringEndpoints.RegisterKernelEndpoints(this, monitoring);
        await monitoring.StartAsync(ParseHost(options.Monitoring.Host ?? options.Host), options.Monitoring.Port, options.Monitoring.BasePath, cancellationToken).ConfigureAwait(false);
        _monitoring = monitoring;
    }

    private async Task StopMonitoringAsync()
    {
        if (_monitoring is not null)
        {
            await _monitoring.DisposeAsync().ConfigureAwait(false);
            _monitoring = null;
        }
    }
}
