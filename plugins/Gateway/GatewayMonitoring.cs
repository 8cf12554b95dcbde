using System.Text.Json.Serialization;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;
using Nats.Core.SystemServices;

namespace Nats.Gateway;

/// <summary>
/// <c>/gatewayz</c> (nats-server's <c>Gatewayz</c>: outbound and inbound gateways, with
/// <c>accs=1</c> the interest mode and subscription counts per account, <c>acc_name</c> for one
/// account, filtered by <c>gw_name</c>), the <c>gateway</c> block and <c>gateways</c> count of
/// <c>/varz</c>, the <c>gateways</c> array of <c>$SYS</c> STATSZ, and (<see cref="GatewayMetrics"/>)
/// the <c>gnatsd_gatewayz_*</c> series of <c>/metrics</c>.
/// </summary>
internal static class GatewayMonitoring
{
    public static void Register(IServerContext context, GatewayManager manager)
    {
        context.Monitoring.AddJsonTypes(GatewayMonitoringJsonContext.Default);
        context.Monitoring.Register("/gatewayz", request => MonitoringResponse.Json(Gatewayz(manager, request)), "Gateways");
        context.Monitoring.AddVarzContributor(varz =>
        {
            var options = manager.Options;
            varz.Gateway = new GatewayVarz
            {
                Name = options.Name,
                Host = options.Host,
                Port = manager.Port,
                AuthTimeout = Math.Round(manager.AuthTimeout.TotalSeconds, 3),
                TlsTimeout = options.Tls?.Timeout.TotalSeconds,
                Advertise = string.IsNullOrEmpty(options.Advertise) ? null : options.Advertise,
                ConnectRetries = options.ConnectRetries == 0 ? null : options.ConnectRetries,
                Gateways = options.Gateways.Where(g => g.Name != options.Name)
                    .Select(g => new RemoteVarz { Name = g.Name, Urls = g.Urls.Select(u => $"{u.Host}:{u.Port}").ToList() }).ToList(),
                RejectUnknown = options.RejectUnknown ? true : null,
            };
        });
        context.SystemServices.AddStatszContributor(stats => stats.Gateways = Statsz(manager));
        GatewayMetrics.Register(context, manager);
    }

    /// <summary>
    /// nats-server's <c>GatewayStat</c> list: one per outbound connection, with what was received
    /// on the inbound connections from the same gateway; omitted when there is none.
    /// </summary>
    private static List<object>? Statsz(GatewayManager manager)
    {
        var (outbound, inbound) = manager.Connections();
        var list = new List<object>();
        foreach (var connection in outbound)
        {
            if (connection.RemoteName is not { } name)
            {
                continue;
            }
            var from = inbound.Where(c => c.RemoteName == name).ToList();
            list.Add(new GatewayStat
            {
                Id = connection.Id,
                Name = name,
                Sent = new DataStats { Msgs = connection.OutMessages, Bytes = connection.OutBytes },
                Received = new DataStats { Msgs = from.Sum(c => c.InMessages), Bytes = from.Sum(c => c.InBytes) },
                InboundConnections = from.Count,
            });
        }
        return list.Count == 0 ? null : list;
    }

    private static GatewayzBody Gatewayz(GatewayManager manager, MonitoringRequest request)
    {
        var filter = request.Get("gw_name");
        // As nats-server: acc_name lists that account only, and implies accs.
        var accountName = request.Get("acc_name");
        var withAccounts = request.GetBool("accs") || !string.IsNullOrEmpty(accountName);
        var (outbound, inbound) = manager.Connections();
        var body = new GatewayzBody
        {
            ServerId = manager.Server.ServerId,
            Now = DateTime.UtcNow,
            Name = manager.Name,
            Host = manager.Options.Host,
            Port = manager.Port,
        };
        foreach (var connection in outbound)
        {
            if (connection.RemoteName is not { } name || (filter is not null && filter != name))
            {
                continue;
            }
            var accounts = OutboundAccounts(connection);
            body.OutboundGateways[name] = new RemoteGatewayz
            {
                Configured = connection.Remote is { IsImplicit: false },
                Connection = Connection(connection, accounts.Sum(a => a.Subscriptions)),
                Accounts = withAccounts ? Filter(accounts, accountName) : null,
            };
        }
        foreach (var connection in inbound)
        {
            if (connection.RemoteName is not { } name || (filter is not null && filter != name))
            {
                continue;
            }
            if (!body.InboundGateways.TryGetValue(name, out var list))
            {
                body.InboundGateways[name] = list = [];
            }
            list.Add(new RemoteGatewayz
            {
                Configured = manager.IsConfigured(name),
                // Interest lives on outbound connections: an inbound one has no subscriptions.
                Connection = Connection(connection, 0),
                Accounts = withAccounts ? Filter(InboundAccounts(manager, connection), accountName) : null,
            });
        }
        return body;
    }

    /// <summary>
    /// The remote's interest per account as this server keeps it (nats-server's <c>outsie</c>):
    /// <c>num_subs</c> counts every subscription the remote announced (queue ones included, as
    /// nats-server's sublist count), <c>num_queue_subs</c> the queue ones.
    /// </summary>
    private static List<AccountGatewayz> OutboundAccounts(GatewayConnection connection) =>
        connection.Interest?.Snapshot().Select(a => new AccountGatewayz
        {
            Name = a.Account.Name,
            InterestMode = ModeName(a.Mode),
            NoInterestCount = a.NoInterest,
            InterestOnlyThreshold = GatewayManager.MaxNoInterestBeforeSwitch,
            Subscriptions = a.Subscriptions,
            QueueSubscriptions = a.QueueSubscriptions,
        }).OrderBy(a => a.Name, StringComparer.Ordinal).ToList() ?? [];

    /// <summary>What this server told the remote per account (nats-server's <c>insim</c>): the mode and the RS- count.</summary>
    private static List<AccountGatewayz> InboundAccounts(GatewayManager manager, GatewayConnection connection) =>
        manager.InboundAccountsSnapshot(connection).Select(a => new AccountGatewayz
        {
            Name = a.Account,
            // An account refused whole (A-) has no entry; nats-server prints it as optimistic.
            InterestMode = ModeName(a.Mode),
            NoInterestCount = a.NoInterest,
            InterestOnlyThreshold = GatewayManager.MaxNoInterestBeforeSwitch,
        }).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();

    private static List<AccountGatewayz>? Filter(List<AccountGatewayz> accounts, string? name)
    {
        var list = string.IsNullOrEmpty(name) ? accounts : accounts.Where(a => a.Name == name).ToList();
        return list.Count == 0 ? null : list;   // omitempty
    }

    private static string ModeName(InterestMode mode) => mode switch
    {
        InterestMode.InterestOnly => "Interest-Only",
        InterestMode.Transitioning => "Transitioning",
        _ => "Optimistic",
    };

    private static GatewayConnInfo Connection(GatewayConnection connection, int subscriptions)
    {
        var now = DateTime.UtcNow;
        return new()
        {
            Cid = connection.Id,
            Ip = connection.RemoteEndPoint?.Address.ToString() ?? "",
            Port = connection.RemoteEndPoint?.Port ?? 0,
            Start = connection.StartTime,
            LastActivity = connection.LastActivity,
            Rtt = GoFormat.Duration(connection.Rtt),
            // nats-server's myUptime for both, as in /connz.
            Uptime = GoFormat.Uptime(now - connection.StartTime),
            Idle = GoFormat.Uptime(now - connection.LastActivity),
            PendingBytes = connection.PendingBytes,
            InMsgs = connection.InMessages,
            OutMsgs = connection.OutMessages,
            InBytes = connection.InBytes,
            OutBytes = connection.OutBytes,
            Subscriptions = subscriptions,
            Name = connection.RemoteInfo?.ServerId ?? "",
            TlsVersion = connection.Tls is { } tls ? TlsVersionText(tls.Protocol) : null,
        };
    }

    // nats-server's tlsVersion: "1.3", as /connz prints it.
    private static string? TlsVersionText(System.Security.Authentication.SslProtocols protocol) => protocol switch
    {
        System.Security.Authentication.SslProtocols.Tls13 => "1.3",
        System.Security.Authentication.SslProtocols.Tls12 => "1.2",
        _ => protocol.ToString(),
    };

    internal sealed class GatewayVarz
    {
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("host")] public string Host { get; init; } = "";
        [JsonPropertyName("port")] public int Port { get; init; }
        [JsonPropertyName("auth_timeout")] public double AuthTimeout { get; init; }
        [JsonPropertyName("tls_timeout"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? TlsTimeout { get; init; }
        [JsonPropertyName("advertise"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Advertise { get; init; }
        [JsonPropertyName("connect_retries"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? ConnectRetries { get; init; }
        [JsonPropertyName("gateways")] public List<RemoteVarz> Gateways { get; init; } = [];
        [JsonPropertyName("reject_unknown"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? RejectUnknown { get; init; }
    }

    internal sealed class RemoteVarz
    {
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("urls")] public List<string> Urls { get; init; } = [];
    }

    internal sealed class GatewayzBody
    {
        [JsonPropertyName("server_id")] public string ServerId { get; init; } = "";
        [JsonPropertyName("now")] public DateTime Now { get; init; }
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("host")] public string Host { get; init; } = "";
        [JsonPropertyName("port")] public int Port { get; init; }
        [JsonPropertyName("outbound_gateways")] public Dictionary<string, RemoteGatewayz> OutboundGateways { get; } = [];
        [JsonPropertyName("inbound_gateways")] public Dictionary<string, List<RemoteGatewayz>> InboundGateways { get; } = [];
    }

    internal sealed class RemoteGatewayz
    {
        [JsonPropertyName("configured")] public bool Configured { get; init; }
        [JsonPropertyName("connection")] public GatewayConnInfo? Connection { get; init; }
        [JsonPropertyName("accounts"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<AccountGatewayz>? Accounts { get; init; }
    }

    internal sealed class AccountGatewayz
    {
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("interest_mode")] public string InterestMode { get; init; } = "";
        [JsonPropertyName("no_interest_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int NoInterestCount { get; init; }
        [JsonPropertyName("interest_only_threshold"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int InterestOnlyThreshold { get; init; }
        [JsonPropertyName("num_subs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Subscriptions { get; init; }
        [JsonPropertyName("num_queue_subs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int QueueSubscriptions { get; init; }
    }

    /// <summary>nats-server's <c>GatewayStat</c> in STATSZ.</summary>
    internal sealed class GatewayStat
    {
        [JsonPropertyName("gwid")] public ulong Id { get; init; }
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("sent")] public DataStats Sent { get; init; } = new();
        [JsonPropertyName("received")] public DataStats Received { get; init; } = new();
        [JsonPropertyName("inbound_connections")] public int InboundConnections { get; init; }
    }

    internal sealed class GatewayConnInfo
    {
        [JsonPropertyName("cid")] public ulong Cid { get; init; }
        [JsonPropertyName("kind")] public string Kind { get; init; } = "Gateway";
        [JsonPropertyName("ip")] public string Ip { get; init; } = "";
        [JsonPropertyName("port")] public int Port { get; init; }
        [JsonPropertyName("start")] public DateTime Start { get; init; }
        [JsonPropertyName("last_activity")] public DateTime LastActivity { get; init; }
        [JsonPropertyName("rtt")] public string Rtt { get; init; } = "";
        [JsonPropertyName("uptime")] public string Uptime { get; init; } = "";
        [JsonPropertyName("idle")] public string Idle { get; init; } = "";
        [JsonPropertyName("pending_bytes")] public long PendingBytes { get; init; }
        [JsonPropertyName("in_msgs")] public long InMsgs { get; init; }
        [JsonPropertyName("out_msgs")] public long OutMsgs { get; init; }
        [JsonPropertyName("in_bytes")] public long InBytes { get; init; }
        [JsonPropertyName("out_bytes")] public long OutBytes { get; init; }
        [JsonPropertyName("subscriptions")] public int Subscriptions { get; init; }
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("tls_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TlsVersion { get; init; }
    }
}
