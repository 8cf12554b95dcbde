using System.Text.Json.Serialization;
using Nats.Core;
using Nats.Core.Monitoring;
using Nats.Leafnode.Links;

namespace Nats.Leafnode.Monitoring;

/// <summary>
/// <c>/leafz</c>, as nats-server's <c>Leafz</c>: the server id, the time, and each leaf
/// connection (its account, address, RTT, traffic and subscriptions). Query: <c>subs=1</c>
/// lists the subscriptions, <c>acc=NAME</c> keeps one account's leafs.
/// </summary>
public sealed class Leafz
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("now")] public DateTime Now { get; set; }
    [JsonPropertyName("leafnodes")] public int NumLeafs { get; set; }
    [JsonPropertyName("leafs")] public List<LeafzEntry> Leafs { get; set; } = [];

    /// <summary>Answers one request.</summary>
    public static MonitoringResponse Build(NatsServer server, LeafManager? manager, MonitoringRequest request)
    {
        var subs = request.Get("subs") is { } flag && flag is "1" or "true";
        var account = request.Get("acc");
        var leafz = new Leafz { ServerId = server.ServerId, Now = DateTime.UtcNow };
        foreach (var leaf in manager?.Connections ?? [])
        {
            if (account is not null && leaf.Account?.Name != account)
            {
                continue;
            }
            var entry = new LeafzEntry
            {
                Name = leaf.RemoteServerName ?? "",
                IsSpoke = leaf.IsSpoke,
                Account = leaf.Account?.Name ?? "",
                Ip = leaf.RemoteEndPoint?.Address.ToString() ?? "",
                Port = leaf.RemoteEndPoint?.Port ?? 0,
                Rtt = leaf.Rtt == TimeSpan.Zero ? null : GoFormat.Duration(leaf.Rtt),
                InMsgs = leaf.InMessages,
                InBytes = leaf.InBytes,
                OutMsgs = leaf.OutMessages,
                OutBytes = leaf.OutBytes,
                NumSubs = leaf.RemoteSubscriptionCount,
            };
            if (subs)
            {
                entry.Subs = [.. leaf.RemoteSubjects().Select(k => k.Split(' ')[0])];
            }
            leafz.Leafs.Add(entry);
        }
        leafz.NumLeafs = leafz.Leafs.Count;
        return MonitoringResponse.Json(leafz);
    }
}

/// <summary>One leaf connection in <c>/leafz</c> (nats-server's <c>LeafInfo</c>).</summary>
public sealed class LeafzEntry
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("is_spoke")] public bool IsSpoke { get; set; }
    [JsonPropertyName("account")] public string Account { get; set; } = "";
    [JsonPropertyName("ip")] public string Ip { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("rtt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Rtt { get; set; }
    [JsonPropertyName("in_msgs")] public long InMsgs { get; set; }
    [JsonPropertyName("out_msgs")] public long OutMsgs { get; set; }
    [JsonPropertyName("in_bytes")] public long InBytes { get; set; }
    [JsonPropertyName("out_bytes")] public long OutBytes { get; set; }
    [JsonPropertyName("subscriptions")] public int NumSubs { get; set; }
    [JsonPropertyName("subscriptions_list"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Subs { get; set; }
}
