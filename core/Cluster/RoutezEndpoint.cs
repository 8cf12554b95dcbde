using Nats.Core.Connections;
using Nats.Core.Monitoring;

namespace Nats.Core.Cluster;

/// <summary>Registers <c>/routez</c> and the cluster's live fields in <c>/varz</c>.</summary>
internal static class RoutezEndpoint
{
    public static void Register(NatsServer server, RouteManager routes, MonitoringServer monitoring)
    {
        monitoring.Register("/routez", request => new MonitoringResponse(Build(server, routes, request)), "Routes");
        monitoring.AddVarzContributor(varz =>
        {
            varz.Routes = routes.Routes.Count;
            varz.Remotes = routes.Routes.Count;
            varz.Cluster.Name = routes.ClusterName;
            varz.Cluster.Port = routes.Port;
        });
    }

    private static Routez Build(NatsServer server, RouteManager routes, MonitoringRequest request)
    {
        var subs = request["subs"];
        var detail = string.Equals(subs, "detail", StringComparison.OrdinalIgnoreCase);
        var list = detail || request.GetBool("subs");
        var now = DateTime.UtcNow;
        var routez = new Routez { ServerId = server.ServerId, ServerName = server.Name, Now = now };
        foreach (var route in routes.Routes.OrderBy(r => r.Id))
        {
            var remote = route.RemoteEndPoint;
            var entry = new RouteInfoz
            {
                Rid = route.Id,
                RemoteId = route.RemoteId ?? "",
                RemoteName = route.RemoteName ?? "",
                DidSolicit = route.DidSolicit,
                IsConfigured = route.IsExplicit,
                Ip = remote is null ? "" : HostPort.IpText(remote.Address),
                Port = remote?.Port ?? 0,
                Start = route.StartTime,
                LastActivity = route.LastActivity,
                Rtt = route.Rtt == TimeSpan.Zero ? null : GoFormat.Duration(route.Rtt),
                Uptime = GoFormat.Uptime(now - route.StartTime),
                Idle = GoFormat.Uptime(now - route.LastActivity),
                PendingSize = route.PendingBytes,
                InMsgs = route.InMessages,
                OutMsgs = route.OutMessages,
                InBytes = route.InBytes,
                OutBytes = route.OutBytes,
                Subscriptions = route.RemoteSubscriptionCount,
            };
            if (list)
            {
                var interest = route.GetRemoteInterest();
                if (detail)
                {
                    entry.SubscriptionsListDetail = [.. interest.Select(i => SubDetail.From(i.Subscription, route.Id, i.Account))];
                }
                else
                {
                    entry.SubscriptionsList = [.. interest.Select(i => i.Subscription.SubjectString)];
                }
            }
            routez.Routes.Add(entry);
        }
        routez.NumRoutes = routez.Routes.Count;
        return routez;
    }
}
