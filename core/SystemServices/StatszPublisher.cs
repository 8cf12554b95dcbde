using Nats.Core.Accounts;
using Nats.Core.Monitoring;

namespace Nats.Core.SystemServices;

/// <summary>
/// STATSZ: builds <c>{"server":…,"statsz":…}</c> and publishes it on
/// <c>$SYS.SERVER.&lt;id&gt;.STATSZ</c> as nats-server does: first after 250 ms, then at
/// doubling intervals up to every 10 s, when anyone would receive it. Every 30 s it also re-sends the connection count of
/// each account with clients (nats-server's account heartbeat).
/// </summary>
internal sealed class StatszPublisher(NatsServer server, SystemServiceHost services)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AccountHeartbeat = TimeSpan.FromSeconds(30);

    // Owned by the timer callback (one at a time: the timer is one-shot and re-armed there).
    private readonly Lock _lock = new();
    private Timer? _timer;
    private TimeSpan _interval = First;
    private DateTime _lastAccountHeartbeat = DateTime.UtcNow;

    public static string Subject(string serverId) => $"$SYS.SERVER.{serverId}.STATSZ";

    public void Start()
    {
        lock (_lock)
        {
            _timer = new Timer(_ => Tick(), null, First, Timeout.InfiniteTimeSpan);
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>This server's statistics now, with the plugins' parts.</summary>
    public ServerStatsMessage Build()
    {
        var varz = (Varz)server.Monitoring.Invoke("/varz").Body;
        var stats = new ServerStatsz
        {
            Start = server.StartTime,
            Memory = varz.Mem,
            Cores = varz.Cores,
            Cpu = varz.Cpu,
            Connections = varz.Connections,
            TotalConnections = (ulong)varz.TotalConnections,
            ActiveAccounts = server.Accounts.All.Count(a => a.ConnectionCount > 0 || a.Sublist.Count > 0),
            Subscriptions = varz.Subscriptions,
            Sent = new DataStats { Msgs = varz.OutMsgs, Bytes = varz.OutBytes },
            Received = new DataStats { Msgs = varz.InMsgs, Bytes = varz.InBytes },
            SlowConsumers = varz.SlowConsumers,
            StaleConnections = varz.StaleConnections == 0 ? null : varz.StaleConnections,
            MaxProcs = varz.MaxProcs,
        };
        if (server.Routes is { } routes)
        {
            var list = routes.Routes.Select(r => new RouteStat
            {
                Id = r.Id,
                Name = string.IsNullOrEmpty(r.RemoteName) ? null : r.RemoteName,
                Sent = new DataStats { Msgs = r.OutMessages, Bytes = r.OutBytes },
                Received = new DataStats { Msgs = r.InMessages, Bytes = r.InBytes },
                Pending = (int)Math.Min(int.MaxValue, r.PendingBytes),
            }).ToList();
            stats.Routes = list.Count == 0 ? null : list;
            stats.ActiveServers = routes.Routes.Select(r => r.RemoteId).Where(id => id is not null).Distinct().Count() + 1;
        }
        foreach (var contribute in services.StatszContributors())
        {
            contribute(stats);
        }
        return new ServerStatsMessage { Server = services.NextServerInfo(), Stats = stats };
    }

    private void Tick()
    {
        if (!server.IsRunning)
        {
            return;
        }
        // Built only when someone would receive it (a subscriber, or a route, gateway or leaf
        // whose peer subscribed): nothing else reads it, and building it runs every /varz
        // contributor and the JSON writer, whose first use is what an idle server would
        // otherwise spend memory on (docs/benchmarks.md, "Idle memory (2026-12-07)").
        var subject = Subject(server.ServerId);
        if (services.HasInterest(subject))
        {
            services.Publish(subject, Build());
        }
        var now = DateTime.UtcNow;
        if (now - _lastAccountHeartbeat >= AccountHeartbeat)
        {
            _lastAccountHeartbeat = now;
            foreach (var account in server.Accounts.All)
            {
                if (account.ConnectionCount > 0)
                {
                    services.Events.AccountConnectionsChanged(account);
                }
            }
        }
        lock (_lock)
        {
            _interval = _interval * 2 > Max ? Max : _interval * 2;
            _timer?.Change(_interval, Timeout.InfiniteTimeSpan);
        }
    }
}
