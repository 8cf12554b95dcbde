using Nats.Core.Accounts;

namespace Nats.Core.Monitoring;

/// <summary><c>/accstatz</c>: accounts with connections, or all of them with <c>unused=1</c>.</summary>
internal static class AccountStatzEndpoint
{
    public static MonitoringResponse Handle(NatsServer server, MonitoringRequest request) =>
        MonitoringResponse.Json(Build(server, request.GetBool("unused")));

    public static AccountStatz Build(NatsServer server, bool includeUnused)
    {
        // Live connections count their own deliveries; accounts hold those of closed ones.
        var sent = new Dictionary<Account, (long Messages, long Bytes)>();
        lock (server.ConnectionTotalsLock)
        {
            foreach (var account in server.Accounts.All)
            {
                sent[account] = (account.OutMessages, account.OutBytes);
            }
            foreach (var client in server.Clients)
            {
                var current = sent.GetValueOrDefault(client.Account);
                sent[client.Account] = (current.Messages + client.OutMessages, current.Bytes + client.OutBytes);
            }
        }
        var stats = new List<AccountStat>();
        foreach (var account in server.Accounts.All)
        {
            var connections = account.ConnectionCount;
            // As nats-server: leafs count apart (leafnodes, total_conns), and an account with
            // leafs but no clients is left out unless unused ones are asked for too.
            if (!includeUnused && connections == 0)
            {
                continue;
            }
            var leafs = account.LeafConnectionCount;
            var (sentMessages, sentBytes) = sent[account];
            stats.Add(new AccountStat
            {
                Account = account.Name,
                Conns = connections,
                LeafNodes = leafs,
                TotalConns = connections + leafs,
                NumSubs = (uint)account.Sublist.Count,
                Sent = new DataStats { Msgs = sentMessages, Bytes = sentBytes },
                Received = new DataStats { Msgs = account.InMessages, Bytes = account.InBytes },
            });
        }
        return new AccountStatz { ServerId = server.ServerId, Now = DateTime.UtcNow, Accounts = stats };
    }
}
