using Microsoft.Extensions.Logging;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;
using VersionedDep;

namespace PluginB;

/// <summary>Uses VersionedDep 2.x, including a method 1.x lacks; configures before alpha (lower order).</summary>
[ServerPlugin("beta", Order = 5)]
public sealed class BetaPlugin : IServerPlugin
{
    private ILogger? _logger;

    public void Configure(IServerContext context)
    {
        _logger = context.Logging.CreateLogger("beta");
        _logger.LogInformation("beta: VersionedDep {Version} says {Hello} ({Extra}) from {Location}", Greeting.Version, Greeting.Hello(), Greeting.OnlyInV2(), Greeting.Location);
        context.Monitoring.Register("/betaz", _ => MonitoringResponse.Json(new { version = Greeting.Version, hello = Greeting.Hello(), extra = Greeting.OnlyInV2() }));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _logger?.LogInformation("beta: started");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _logger?.LogInformation("beta: stopped");
        return Task.CompletedTask;
    }
}
