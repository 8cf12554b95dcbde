using Nats.Core.Monitoring;

namespace Nats.JetStream.Server;

/// <summary>
/// JetStream's part of <c>/healthz</c>, as nats-server's: with <c>js-enabled-only</c> or
/// <c>js-server-only</c> it is enough that JetStream runs; otherwise every stream (or the one
/// named by <c>account</c>/<c>stream</c>) must be healthy: a stream whose store reported lost
/// (corrupted) data is unhealthy, so damage is never silently served.
/// </summary>
internal sealed class JetStreamHealth(Func<JetStreamOptions> options, Func<IReadOnlyList<AccountHost>> hosts) : IHealthCheck
{
    public void Check(HealthzOptions request, HealthStatus status)
    {
        if (!options().Enabled)
        {
            if (request.JetStreamEnabledOnly || request.JetStreamEnabled)
            {
                status.Fail(503, HealthzErrorType.JetStream, "JetStream not enabled");
            }
            return;
        }
        if (request.JetStreamEnabledOnly || request.JetStreamServerOnly || request.JetStreamMetaOnly)
        {
            return;
        }
        foreach (var host in hosts())
        {
            if (request.Account is { } account && account != host.Account.Name)
            {
                continue;
            }
            foreach (var name in host.Js.StreamNames())
            {
                if (request.Stream is { } only && only != name)
                {
                    continue;
                }
                if (host.Js.FindStream(name) is { } stream && stream.Store.Lost is { Count: > 0 } lost)
                {
                    var first = lost[0];
                    status.Fail(503, HealthzErrorType.Stream,
                        $"JetStream stream '{host.Account.Name} > {name}' is not current: {lost.Count} damaged range(s), first sequences {first.FirstSeq}-{first.LastSeq} in {Path.GetFileName(first.Block)} ({first.Reason})",
                        account: host.Account.Name, stream: name);
                    if (!request.Details)
                    {
                        return;
                    }
                }
            }
        }
    }
}
