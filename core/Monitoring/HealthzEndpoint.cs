namespace Nats.Core.Monitoring;

/// <summary><c>/healthz</c>, as nats-server's <c>Server.healthz</c> computes the kernel's part.</summary>
internal static class HealthzEndpoint
{
    public static MonitoringResponse Handle(NatsServer server, MonitoringServer monitoring, MonitoringRequest request)
    {
        var status = Build(server, monitoring, HealthzOptions.Parse(request));
        var code = status.StatusCode == 0 ? 200 : status.StatusCode;
        // The HTTP status already says it; nats-server leaves status_code out over HTTP.
        status.StatusCode = 0;
        return MonitoringResponse.Json(status, code, indented: false);
    }

    public static HealthStatus Build(NatsServer server, MonitoringServer monitoring, HealthzOptions options)
    {
        var status = new HealthStatus(options.Details);
        if (options.Account is null && options.Stream is not null)
        {
            status.Fail(400, HealthzErrorType.BadRequest, "\"account\" must not be empty when checking stream health");
            return status;
        }
        if (options.Stream is null && options.Consumer is not null)
        {
            status.Fail(400, HealthzErrorType.BadRequest, "\"stream\" must not be empty when checking consumer health");
            return status;
        }
        // nats-server is not ready while its client listener is down (before start, in lame duck mode).
        if (!server.IsRunning || server.IsLameDuck)
        {
            status.Fail(500, HealthzErrorType.Connection, "failed to be ready for connections after 1ms: server");
            return status;
        }
        foreach (var check in monitoring.HealthChecks())
        {
            check.Check(options, status);
            if (status.Failed && !options.Details)
            {
                break;
            }
        }
        if (status.Failed && status.StatusCode == 0)
        {
            status.StatusCode = 503;
        }
        return status;
    }
}
