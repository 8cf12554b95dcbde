using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nats.Core;
using MonitoringServer = Nats.Core.Monitoring.MonitoringServer;

namespace Nats.Server.Hosting;

/// <summary>
/// An ASP.NET Core health check answered by the server's own <c>/healthz</c> (the kernel's
/// checks and every plugin's, JetStream's included): healthy when <c>/healthz</c> answers 200.
/// It runs in-process, so it works without <c>http_port</c>.
/// </summary>
internal sealed class NatsServerHealthCheck(NatsServer server) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!server.IsRunning)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "the NATS server is not running"));
        }
        var response = server.Monitoring.Invoke("/healthz");
        var body = MonitoringServer.Serialize(response);
        return Task.FromResult(response.Status == 200
            ? HealthCheckResult.Healthy(body)
            : new HealthCheckResult(context.Registration.FailureStatus, body));
    }
}

/// <summary><c>AddNatsServerHealthCheck</c> for <c>services.AddHealthChecks()</c>.</summary>
public static class NatsServerHealthChecksBuilderExtensions
{
    /// <summary>Adds a health check backed by the server's <c>/healthz</c> (requires <c>AddNatsServer</c>).</summary>
    /// <example><code>
    /// builder.Services.AddHealthChecks().AddNatsServerHealthCheck();
    /// app.MapHealthChecks("/health");
    /// </code></example>
    public static IHealthChecksBuilder AddNatsServerHealthCheck(this IHealthChecksBuilder builder, string name = "nats", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new NatsServerHealthCheck(sp.GetRequiredService<NatsServer>()), failureStatus, tags));
    }
}
