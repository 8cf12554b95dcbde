using System.Diagnostics.Metrics;
using Nats.Core.Monitoring;

namespace Nats.Core.Metrics;

/// <summary>
/// Per-account counters, named as the exporter's <c>/accstatz</c> collector names them
/// (<c>gnatsd_accstatz_*{server_id, account, account_id, account_name}</c>), from
/// <c>/accstatz?unused=1</c>'s own code. Leaf node and slow consumer counts per account are
/// not tracked by the kernel, so they are not reported.
/// </summary>
internal static class AccountInstruments
{
    public static void Register(NatsServer server, NatsMetrics metrics)
    {
        var statz = new Snapshot<Labelled>(() => server.IsRunning ? Label(metrics, AccountStatzEndpoint.Build(server, includeUnused: true)) : null);
        Add(metrics, statz, "gnatsd_accstatz_current_connections", "Client connections open in the account", a => a.Conns);
        Add(metrics, statz, "gnatsd_accstatz_total_connections", "Connections of the account (as /accstatz total_conns)", a => a.TotalConns);
        Add(metrics, statz, "gnatsd_accstatz_subscriptions", "Subscriptions in the account", a => a.NumSubs);
        Add(metrics, statz, "gnatsd_accstatz_sent_messages", "Messages sent to the account's connections", a => a.Sent.Msgs);
        Add(metrics, statz, "gnatsd_accstatz_sent_bytes", "Payload bytes sent to the account's connections", a => a.Sent.Bytes);
        Add(metrics, statz, "gnatsd_accstatz_received_messages", "Messages received from the account's connections", a => a.Received.Msgs);
        Add(metrics, statz, "gnatsd_accstatz_received_bytes", "Payload bytes received from the account's connections", a => a.Received.Bytes);
    }

    private static void Add(NatsMetrics metrics, Snapshot<Labelled> statz, string name, string description, Func<AccountStat, long> read) =>
        metrics.Meter.CreateObservableGauge(name, () => statz.Value is { } s
            ? s.Accounts.Select(a => new Measurement<long>(read(a.Stat), a.Tags))
            : [], description: description);

    private static Labelled Label(NatsMetrics metrics, AccountStatz statz) =>
        new([.. statz.Accounts.Select(a => (a, new KeyValuePair<string, object?>[]
        {
            metrics.ServerIdTag,
            new("account", a.Account),
            new("account_id", a.Account),
            new("account_name", a.Name),
        }))]);

    private sealed record Labelled(IReadOnlyList<(AccountStat Stat, KeyValuePair<string, object?>[] Tags)> Accounts);
}
