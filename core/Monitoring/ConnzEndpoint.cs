using Nats.Core.Connections;

namespace Nats.Core.Monitoring;

/// <summary><c>/connz</c>, as nats-server's <c>Server.Connz</c> computes it.</summary>
internal static class ConnzEndpoint
{
    public static MonitoringResponse Handle(NatsServer server, MonitoringRequest request) =>
        MonitoringResponse.Json(Build(server, ConnzOptions.Parse(request)));

    public static Connz Build(NatsServer server, ConnzOptions options)
    {
        var now = DateTime.UtcNow;
        var connz = new Connz { ServerId = server.ServerId, Now = now, Offset = options.Offset, Limit = options.Limit };
        var wantOpen = options.State is ConnState.Open or ConnState.All;
        var wantClosed = options.State is ConnState.Closed or ConnState.All;

        var open = wantOpen ? server.Clients.Where(c => options.Account is null || c.Account.Name == options.Account).ToList() : [];
        // nats-server lists an account's leafs with its clients when asked for that account only.
        var links = wantOpen && options.Account is { } account ? server.ListedLinks(account).ToList() : [];
        var closed = wantClosed ? server.ClosedClients.Where(c => options.Account is null || c.Account == options.Account).ToList() : [];
        // As in nats-server, the total counts the state and account, not the user filter.
        connz.Total = open.Count + links.Count + closed.Count;

        if (options.Cid > 0)
        {
            var openMatch = open.FirstOrDefault(c => c.Id == options.Cid);
            open = openMatch is null ? [] : [openMatch];
            var linkMatch = links.FirstOrDefault(l => l.Link.Id == options.Cid);
            links = linkMatch is null ? [] : [linkMatch];
            var closedMatch = openMatch is null && linkMatch is null ? closed.FirstOrDefault(c => c.Id == options.Cid) : null;
            closed = closedMatch is null ? [] : [closedMatch];
        }
        if (options.User is { } user)
        {
            open = [.. open.Where(c => c.User == user)];
            links = [];
            closed = [.. closed.Where(c => c.User == user)];
        }

        var entries = new List<ConnInfo>(open.Count + links.Count + closed.Count);
        foreach (var client in open)
        {
            entries.Add(Describe(client, now, options));
        }
        foreach (var link in links)
        {
            entries.Add(Describe(link, now, options));
        }
        foreach (var client in closed)
        {
            entries.Add(Describe(client, options));
        }

        var sorted = Sort(entries, options.Sort, now);
        connz.Connections = [.. sorted.Skip(options.Offset).Take(options.Limit)];
        connz.NumConnections = connz.Connections.Count;
        return connz;
    }

    private static ConnInfo Describe(ClientConnection client, DateTime now, ConnzOptions options)
    {
        // Asking for the RTT of an unmeasured client starts a measurement, as nats-server does.
        client.RequestRttMeasurement();
        var info = ConnInfoBuilder.Build(client, now);
        if (options.SubscriptionsDetail || options.Subscriptions)
        {
            var subscriptions = client.GetSubscriptions();
            if (subscriptions.Length > 0)
            {
                if (options.SubscriptionsDetail)
                {
                    info.SubscriptionsDetail = [.. subscriptions.Select(s => SubDetail.From(s, client.Id))];
                }
                else
                {
                    info.Subscriptions = [.. subscriptions.Select(s => s.SubjectString)];
                }
            }
        }
        if (options.Auth)
        {
            ConnInfoBuilder.AddAuth(info, client.User, client.Account.Name, client.Tls);
        }
        return info;
    }

    private static ConnInfo Describe(ListedLink link, DateTime now, ConnzOptions options)
    {
        var info = ConnInfoBuilder.Build(link, now);
        if (options.SubscriptionsDetail || options.Subscriptions)
        {
            var subjects = link.Listing.Subjects();
            if (subjects.Count > 0)
            {
                if (options.SubscriptionsDetail)
                {
                    info.SubscriptionsDetail = [.. subjects.Select(s => new SubDetail { Subject = s, Cid = link.Link.Id })];
                }
                else
                {
                    info.Subscriptions = [.. subjects];
                }
            }
        }
        if (options.Auth)
        {
            ConnInfoBuilder.AddAuth(info, null, link.Account.Name, link.Link.Tls);
        }
        return info;
    }

    private static ConnInfo Describe(ClosedConnectionInfo closed, ConnzOptions options)
    {
        var info = closed.Info.Copy();
        if (closed.Subscriptions.Count > 0)
        {
            if (options.SubscriptionsDetail)
            {
                info.SubscriptionsDetail = closed.Subscriptions;
            }
            else if (options.Subscriptions)
            {
                info.Subscriptions = [.. closed.Subscriptions.Select(s => s.Subject)];
            }
        }
        if (options.Auth)
        {
            ConnInfoBuilder.AddAuth(info, closed.User, closed.Account, closed.Tls);
        }
        return info;
    }

    /// <summary>nats-server's orders: cid, start, uptime and reason ascend; the rest descend.</summary>
    private static IEnumerable<ConnInfo> Sort(List<ConnInfo> entries, ConnzSort sort, DateTime now) => sort switch
    {
        ConnzSort.Cid or ConnzSort.Start => entries.OrderBy(c => c.Cid),
        ConnzSort.Subs => entries.OrderByDescending(c => c.NumSubs).ThenBy(c => c.Cid),
        ConnzSort.Pending => entries.OrderByDescending(c => c.PendingBytes).ThenBy(c => c.Cid),
        ConnzSort.MsgsTo => entries.OrderByDescending(c => c.OutMsgs).ThenBy(c => c.Cid),
        ConnzSort.MsgsFrom => entries.OrderByDescending(c => c.InMsgs).ThenBy(c => c.Cid),
        ConnzSort.BytesTo => entries.OrderByDescending(c => c.OutBytes).ThenBy(c => c.Cid),
        ConnzSort.BytesFrom => entries.OrderByDescending(c => c.InBytes).ThenBy(c => c.Cid),
        ConnzSort.Last => entries.OrderByDescending(c => c.LastActivity).ThenBy(c => c.Cid),
        ConnzSort.Idle => entries.OrderByDescending(c => now - c.LastActivity).ThenBy(c => c.Cid),
        ConnzSort.Uptime => entries.OrderBy(c => (c.Stop ?? now) - c.Start).ThenBy(c => c.Cid),
        ConnzSort.Stop => entries.OrderByDescending(c => c.Stop ?? DateTime.MinValue).ThenBy(c => c.Cid),
        ConnzSort.Reason => entries.OrderBy(c => c.Reason, StringComparer.Ordinal).ThenBy(c => c.Cid),
        ConnzSort.Rtt => entries.OrderByDescending(c => c.RttValue).ThenBy(c => c.Cid),
        _ => entries,
    };
}
