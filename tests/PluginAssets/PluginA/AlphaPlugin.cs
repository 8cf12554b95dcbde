using Microsoft.Extensions.Logging;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;
using VersionedDep;

namespace PluginA;

/// <summary>Uses VersionedDep 1.x; reports which copy it got in the log and at /alphaz.</summary>
[ServerPlugin("alpha", Order = 10)]
public sealed class AlphaPlugin : IServerPlugin
{
    private ILogger? _logger;

    public void Configure(IServerContext context)
    {
        _logger = context.Logging.CreateLogger("alpha");
        _logger.LogInformation("alpha: VersionedDep {Version} says {Hello} from {Location}", Greeting.Version, Greeting.Hello(), Greeting.Location);
        context.Monitoring.Register("/alphaz", _ => MonitoringResponse.Json(new { version = Greeting.Version, hello = Greeting.Hello() }));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _logger?.LogInformation("alpha: started");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _logger?.LogInformation("alpha: stopped");
        return Task.CompletedTask;
    }
}
