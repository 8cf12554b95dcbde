using System.Text.Json.Serialization;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;

namespace Nats.Gateway;

/// <summary>
/// <c>/gatewayz</c> (nats-server's <c>Gatewayz</c>: outbound and inbound gateways, with
/// <c>accs=1</c> the interest mode per account, filtered by <c>gw_name</c>) and the
/// <c>gateway</c> block and <c>gateways</c> count of <c>/varz</c>.
/// </summary>
internal static class GatewayMonitoring
{
    public static void Register(IServerContext context, GatewayManager manager)
    {
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
    }

    private static GatewayzBody Gatewayz(GatewayManager manager, MonitoringRequest request)
    {
        var filter = request.Get("gw_name");
        var withAccounts = request.GetBool("accs");
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
            body.OutboundGateways[name] = new RemoteGatewayz
            {
                Configured = connection.Remote is { IsImplicit: false },
                Connection = Connection(connection),
                Accounts = withAccounts ? Accounts(connection) : null,
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
            list.Add(new RemoteGatewayz { Configured = manager.IsConfigured(name), Connection = Connection(connection) });
        }
        return body;
    }

    private static List<AccountGatewayz>? Accounts(GatewayConnection connection) =>
        connection.Interest?.Snapshot().Select(a => new AccountGatewayz
        {
            Name = a.Account.Name,
            InterestMode = a.Mode switch
            {
                InterestMode.InterestOnly => "Interest-Only",
                InterestMode.Transitioning => "Transitioning",
                _ => "Optimistic",
            },
            NoInterestCount = a.NoInterest,
            InterestOnlyThreshold = GatewayManager.MaxNoInterestBeforeSwitch,
            Subscriptions = a.Subscriptions,
        }).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();

    private static GatewayConnInfo Connection(GatewayConnection connection) => new()
    {
        Cid = connection.Id,
        Ip = connection.RemoteEndPoint?.Address.ToString() ?? "",
        Port = connection.RemoteEndPoint?.Port ?? 0,
        Start = connection.StartTime,
        LastActivity = connection.LastActivity,
        Rtt = GoFormat.Duration(connection.Rtt),
        Uptime = GoFormat.Duration(DateTime.UtcNow - connection.StartTime),
        PendingBytes = connection.PendingBytes,
        InMsgs = connection.InMessages,
        OutMsgs = connection.OutMessages,
        InBytes = connection.InBytes,
        OutBytes = connection.OutBytes,
        Name = connection.RemoteInfo?.ServerId ?? "",
        TlsVersion = connection.Tls is { } tls ? tls.Protocol.ToString() : null,
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
    }

    internal sealed class GatewayConnInfo
    {
        [JsonPropertyName("cid")] public ulong Cid { get; init; }
        [JsonPropertyName("ip")] public string Ip { get; init; } = "";
        [JsonPropertyName("port")] public int Port { get; init; }
        [JsonPropertyName("start")] public DateTime Start { get; init; }
        [JsonPropertyName("last_activity")] public DateTime LastActivity { get; init; }
        [JsonPropertyName("rtt")] public string Rtt { get; init; } = "";
        [JsonPropertyName("uptime")] public string Uptime { get; init; } = "";
        [JsonPropertyName("pending_bytes")] public long PendingBytes { get; init; }
        [JsonPropertyName("in_msgs")] public long InMsgs { get; init; }
        [JsonPropertyName("out_msgs")] public long OutMsgs { get; init; }
        [JsonPropertyName("in_bytes")] public long InBytes { get; init; }
        [JsonPropertyName("out_bytes")] public long OutBytes { get; init; }
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("tls_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TlsVersion { get; init; }
    }
}
