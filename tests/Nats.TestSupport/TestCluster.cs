using Nats.Core;
using Nats.Core.Config;

namespace Nats.TestSupport;

/// <summary>Options of in-process cluster members: 127.0.0.1, random client and route ports, routes to the seeds.</summary>
public static class TestCluster
{
    /// <summary>A member <paramref name="serverName"/> of cluster <paramref name="cluster"/> that dials <paramref name="seeds"/>.</summary>
    public static ServerOptions Member(string serverName, string cluster = "test", params NatsServer[] seeds) => new()
    {
        Host = "127.0.0.1",
        Port = -1,
        ServerName = serverName,
        Cluster = Options(cluster, seeds),
    };

    /// <summary>A <c>cluster {}</c> block named <paramref name="cluster"/> on 127.0.0.1 and a random port, with routes to <paramref name="seeds"/>.</summary>
    public static ClusterOptions Options(string cluster = "test", params NatsServer[] seeds) => new()
    {
        Name = cluster,
        Host = "127.0.0.1",
        Port = -1,
        Routes = [.. seeds.Select(RouteUrl)],
    };

    /// <summary>The route URL of <paramref name="server"/>'s cluster listener.</summary>
    public static Uri RouteUrl(NatsServer server) => new($"nats-route://127.0.0.1:{server.Routes!.Port}");
}
