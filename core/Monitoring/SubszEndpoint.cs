using Nats.Core.Connections;
using Nats.Core.Subjects;

namespace Nats.Core.Monitoring;

/// <summary><c>/subsz</c> (also <c>/subscriptionsz</c>), as nats-server's <c>Server.Subsz</c> computes it.</summary>
internal static class SubszEndpoint
{
    public static MonitoringResponse Handle(NatsServer server, MonitoringRequest request) =>
        MonitoringResponse.Json(Build(server, SubszOptions.Parse(request)));

    public static Subsz Build(NatsServer server, SubszOptions options)
    {
        var stats = new SublistStats();
        var subsz = new Subsz { ServerId = server.ServerId, Now = DateTime.UtcNow, Stats = stats, Offset = options.Offset, Limit = options.Limit };
        var details = options.Subscriptions ? new List<SubDetail>() : null;
        var scratch = new List<Subscription>();
        foreach (var account in server.Accounts.All)
        {
            if (options.Account is not null && account.Name != options.Account)
            {
                continue;
            }
            stats.Add(account.Sublist.Stats());
            if (details is null)
            {
                continue;
            }
            scratch.Clear();
            account.Sublist.All(scratch);
            foreach (var subscription in scratch)
            {
                if (options.Test is not null && !SubjectMatcher.MatchLiteral(options.Test, subscription.SubjectString))
                {
                    continue;
                }
                // Like nats-server, list what connections subscribed; imports and other
                // internal subscriptions have no connection to name.
                if (subscription.Owner is ClientConnection owner)
                {
                    details.Add(SubDetail.From(subscription, owner.Id, account.Name));
                }
            }
        }
        if (details is not null)
        {
            subsz.Total = details.Count;
            SubDetail[] page = [.. details.Skip(options.Offset).Take(options.Limit)];
            // An empty page is left out, as Go's omitempty does.
            subsz.Subscriptions = page.Length > 0 ? page : null;
        }
        return subsz;
    }
}
