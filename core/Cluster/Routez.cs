using System.Text.Json.Serialization;
using Nats.Core.Monitoring;

namespace Nats.Core.Cluster;

/// <summary><c>/routez</c>, with nats-server's field names.</summary>
public sealed class Routez
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("now")] public DateTime Now { get; set; }
    [JsonPropertyName("num_routes")] public int NumRoutes { get; set; }
    [JsonPropertyName("routes")] public List<RouteInfoz> Routes { get; set; } = [];
}

/// <summary>One route in <c>/routez</c>.</summary>
public sealed class RouteInfoz
{
    [JsonPropertyName("rid")] public ulong Rid { get; set; }
    [JsonPropertyName("remote_id")] public string RemoteId { get; set; } = "";
    [JsonPropertyName("remote_name")] public string RemoteName { get; set; } = "";
    [JsonPropertyName("did_solicit")] public bool DidSolicit { get; set; }
    [JsonPropertyName("is_configured")] public bool IsConfigured { get; set; }
    [JsonPropertyName("ip")] public string Ip { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("start")] public DateTime Start { get; set; }
    [JsonPropertyName("last_activity")] public DateTime LastActivity { get; set; }
    [JsonPropertyName("rtt")] public string? Rtt { get; set; }
    [JsonPropertyName("uptime")] public string Uptime { get; set; } = "";
    [JsonPropertyName("idle")] public string Idle { get; set; } = "";
    [JsonPropertyName("pending_size")] public long PendingSize { get; set; }
    [JsonPropertyName("in_msgs")] public long InMsgs { get; set; }
    [JsonPropertyName("out_msgs")] public long OutMsgs { get; set; }
    [JsonPropertyName("in_bytes")] public long InBytes { get; set; }
    [JsonPropertyName("out_bytes")] public long OutBytes { get; set; }
    [JsonPropertyName("subscriptions")] public int Subscriptions { get; set; }
    [JsonPropertyName("subscriptions_list")] public List<string>? SubscriptionsList { get; set; }
    [JsonPropertyName("subscriptions_list_detail")] public List<SubDetail>? SubscriptionsListDetail { get; set; }
}

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
