using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Subjects;

namespace Nats.Gateway;

/// <summary>
/// This cluster's interest as the remote clusters hear it over our inbound connections
/// (nats-server's <c>pasi</c> tally, <c>insim</c> and the RS+/RS-/A+/A- it sends): counted per
/// account and subject (and queue) from local clients, routes and leafs, never from gateways.
/// </summary>
internal sealed partial class GatewayManager : IInterestObserver
{
    /// <summary>nats-server's <c>defaultGatewayMaxRUnsubBeforeSwitch</c>.</summary>
    public const int MaxNoInterestBeforeSwitch = 1000;

    // Guards _tally and every inbound connection's InboundAccounts, and orders what is sent.
    private readonly object _interestLock = new();
    private readonly Dictionary<string, Dictionary<string, Tally>> _tally = new(StringComparer.Ordinal);

    // Plain subscriptions of the last 2 s per account: a reply on one of them is mapped (_GR_.).
    private readonly ConcurrentDictionary<Account, Sublist> _recent = new();
    private readonly ConcurrentDictionary<Subscription, Recent> _recentBySubscription = new();

    /// <summary>Counts what is subscribed already (before the observer was registered).</summary>
    public void SeedInterest()
    {
        foreach (var account in Server.Accounts.All)
        {
            foreach (var subscription in account.Sublist.All())
            {
                OnSubscriptionAdded(account, subscription);
            }
        }
    }

    /// <inheritdoc />
    public void OnSubscriptionAdded(Account account, Subscription subscription)
    {
        if (!IsLocal(subscription))
        {
            return;
        }
        if (subscription.Queue is null)
        {
            RememberRecent(account, subscription);
        }
        Change(account, subscription, +1);
    }

    /// <inheritdoc />
    public void OnSubscriptionRemoved(Account account, Subscription subscription)
    {
        if (!IsLocal(subscription))
        {
            return;
        }
        if (_recentBySubscription.TryRemove(subscription, out var recent))
        {
            recent.List.Remove(recent.Copy);
        }
        Change(account, subscription, -1);
    }

    /// <summary>Whether a reply should travel mapped: a local subscription on it is younger than 2 s.</summary>
    public bool ShouldMapReply(Account account, ReadOnlySpan<byte> reply) =>
        _recent.TryGetValue(account, out var list) && list.Count > 0 && !list.Match(reply).IsEmpty;

    private static bool IsLocal(Subscription subscription) => subscription.Sink switch
    {
        GatewayConnection => false,
        ILocalOnlySink => false,
        ILinkSink link => link.Kind != LinkKind.Gateway,
        _ => true,
    };

    private void RememberRecent(Account account, Subscription subscription)
    {
        var list = _recent.GetOrAdd(account, static _ => new Sublist(enableCache: false));
        var copy = new Subscription(subscription.Subject, null, subscription.Sink);
        list.Insert(copy);
        _recentBySubscription[subscription] = new Recent(list, copy, Stopwatch.GetTimestamp() + (long)(RecentSubscriptionWindow.TotalSeconds * Stopwatch.Frequency));
    }

    private void SweepRecentSubscriptions(long now)
    {
        foreach (var (subscription, recent) in _recentBySubscription)
        {
            if (recent.Expiry <= now && _recentBySubscription.TryRemove(subscription, out _))
            {
                recent.List.Remove(recent.Copy);
            }
        }
    }

    private void Change(Account account, Subscription subscription, int delta)
    {
        var key = subscription.Queue is null ? subscription.SubjectString : subscription.SubjectString + " " + subscription.QueueString;
        lock (_interestLock)
        {
            if (!_tally.TryGetValue(account.Name, out var table))
            {
                if (delta < 0)
                {
                    return;
                }
                table = new Dictionary<string, Tally>(StringComparer.Ordinal);
                _tally[account.Name] = table;
            }
            if (!table.TryGetValue(key, out var tally))
            {
                if (delta < 0)
                {
                    return;
                }
                tally = new Tally(subscription.SubjectString, subscription.QueueString);
                table[key] = tally;
            }
            tally.Count += delta;
            var first = delta > 0 && tally.Count == 1;
            var last = tally.Count <= 0;
            if (last)
            {
                table.Remove(key);
                if (table.Count == 0)
                {
                    _tally.Remove(account.Name);
                }
            }
            if (!first && !last)
            {
                return;
            }
            foreach (var connection in InboundConnections())
            {
                if (tally.Queue is not null)
                {
                    SendQueueInterest(connection, account.Name, tally, first);
                }
                else
                {
                    MaybeSendPlainInterest(connection, account.Name, tally.Subject, first);
                }
            }
        }
    }

    private List<GatewayConnection> InboundConnections()
    {
        lock (_lock)
        {
            return [.. _inbound.Values];
        }
    }

    // nats-server's sendQueueSubOrUnsubToGateways: every inbound hears every queue group change.
    private static void SendQueueInterest(GatewayConnection connection, string account, Tally tally, bool added)
    {
        if (added && connection.InboundAccounts.TryGetValue(account, out var entry) && entry is null)
        {
            // A queue subscription clears the A- marker, so the first plain one sends no A+.
            connection.InboundAccounts.Remove(account);
        }
        connection.SendLine(Encoding.UTF8.GetBytes(added
            ? $"RS+ {account} {tally.Subject} {tally.Queue} 1\r\n"
            : $"RS- {account} {tally.Subject} {tally.Queue}\r\n"));
    }

    // nats-server's maybeSendSubOrUnsubToGateways.
    private static void MaybeSendPlainInterest(GatewayConnection connection, string account, string subject, bool added)
    {
        var inMap = connection.InboundAccounts.TryGetValue(account, out var entry);
        if (entry is not null)
        {
            var send = false;
            if (entry.NoInterest is { } noInterest && added)
            {
                if (subject.Contains('*') || subject.Contains('>'))
                {
                    send = noInterest.RemoveWhere(s => OutboundInterest.SubjectMatches(s, subject)) > 0;
                }
                else
                {
                    send = noInterest.Remove(subject);
                }
            }
            else if (entry.Mode == InterestMode.InterestOnly)
            {
                send = true;
            }
            if (send)
            {
                connection.SendLine(Encoding.UTF8.GetBytes($"{(added ? "RS+" : "RS-")} {account} {subject}\r\n"));
            }
        }
        else if (added && inMap)
        {
            connection.InboundAccounts.Remove(account);
            connection.SendLine(Encoding.UTF8.GetBytes($"A+ {account}\r\n"));
        }
    }

    /// <summary>Every queue group of every account, to a new inbound connection.</summary>
    private void SendAllQueueInterest(GatewayConnection connection)
    {
        lock (_interestLock)
        {
            var lines = new StringBuilder();
            foreach (var (account, table) in _tally)
            {
                foreach (var tally in table.Values)
                {
                    if (tally.Queue is not null)
                    {
                        lines.Append("RS+ ").Append(account).Append(' ').Append(tally.Subject).Append(' ').Append(tally.Queue).Append(" 1\r\n");
                    }
                }
            }
            if (lines.Length > 0)
            {
                connection.SendLine(Encoding.UTF8.GetBytes(lines.ToString()));
            }
        }
    }

    /// <summary>
    /// nats-server's <c>gatewaySwitchAccountToSendAllSubs</c>: INFO cmd 2, RS+ for every plain
    /// subscription of the account, INFO cmd 3; from then on every change is sent.
    /// </summary>
    public void SwitchToInterestOnly(GatewayConnection connection, string account)
    {
        lock (_interestLock)
        {
            if (!connection.InboundAccounts.TryGetValue(account, out var entry) || entry is null)
            {
                entry = new InboundAccount();
                connection.InboundAccounts[account] = entry;
            }
            if (entry.Mode != InterestMode.Optimistic)
            {
                return;
            }
            entry.NoInterest = null;
            entry.Mode = InterestMode.Transitioning;
            var payload = Encoding.UTF8.GetBytes(account);
            var lines = new StringBuilder();
            if (_tally.TryGetValue(account, out var table))
            {
                foreach (var tally in table.Values)
                {
                    if (tally.Queue is null)
                    {
                        lines.Append("RS+ ").Append(account).Append(' ').Append(tally.Subject).Append("\r\n");
                    }
                }
            }
            connection.SendLine(new GatewayInfo { Gateway = Name, GatewayCmd = GatewayInfo.CommandAllSubsStart, GatewayCmdPayload = payload }.ToLine());
            if (lines.Length > 0)
            {
                connection.SendLine(Encoding.UTF8.GetBytes(lines.ToString()));
            }
            connection.SendLine(new GatewayInfo { Gateway = Name, GatewayCmd = GatewayInfo.CommandAllSubsComplete, GatewayCmdPayload = payload }.ToLine());
            entry.Mode = InterestMode.InterestOnly;
        }
    }

    /// <summary>nats-server's <c>gatewayHandleAccountNoInterest</c>: A- unless a subscription appeared meanwhile.</summary>
    public void NoInterestInAccount(GatewayConnection connection, ReadOnlySpan<byte> accountName)
    {
        var account = Encoding.UTF8.GetString(accountName);
        lock (_interestLock)
        {
            if (_tally.TryGetValue(account, out var table) && table.Count > 0)
            {
                return;
            }
            SendAccountUnsub(connection, account);
        }
    }

    /// <summary>
    /// nats-server's <c>gatewayHandleSubjectNoInterest</c>: RS- for the subject (once), A- when
    /// the account has no subscription at all, and past 1000 RS- the switch to interest-only.
    /// </summary>
    public void NoInterestInSubject(GatewayConnection connection, Account account, ReadOnlySpan<byte> subjectBytes)
    {
        var subject = Encoding.UTF8.GetString(subjectBytes);
        lock (_interestLock)
        {
            if (!_tally.TryGetValue(account.Name, out var table) || table.Count == 0)
            {
                SendAccountUnsub(connection, account.Name);
                return;
            }
            connection.InboundAccounts.TryGetValue(account.Name, out var entry);
            if (entry is null)
            {
                entry = new InboundAccount();
                entry.NoInterest!.Add(subject);
                connection.InboundAccounts[account.Name] = entry;
            }
            else if (entry.NoInterest is { } noInterest)
            {
                if (noInterest.Contains(subject))
                {
                    return;
                }
                if (noInterest.Count >= MaxNoInterestBeforeSwitch)
                {
                    SwitchToInterestOnly(connection, account.Name);
                    return;
                }
                noInterest.Add(subject);
            }
            else
            {
                return;
            }
            connection.SendLine(Encoding.UTF8.GetBytes($"RS- {account.Name} {subject}\r\n"));
        }
    }

    /// <summary>For /gatewayz: per account, the mode and RS- count this inbound connection's remote was told (Optimistic for A-).</summary>
    public List<(string Account, InterestMode Mode, int NoInterest)> InboundAccountsSnapshot(GatewayConnection connection)
    {
        lock (_interestLock)
        {
            return connection.InboundAccounts
                .Select(a => (a.Key, a.Value?.Mode ?? InterestMode.Optimistic, a.Value?.NoInterest?.Count ?? 0))
                .ToList();
        }
    }

    private static void SendAccountUnsub(GatewayConnection connection, string account)
    {
        if (connection.InboundAccounts.TryGetValue(account, out var entry) && entry is null)
        {
            return;
        }
        connection.InboundAccounts[account] = null;
        connection.SendLine(Encoding.UTF8.GetBytes($"A- {account}\r\n"));
    }

    private sealed class Tally(string subject, string? queue)
    {
        public string Subject { get; } = subject;
        public string? Queue { get; } = queue;
        public int Count { get; set; }
    }

    private sealed record Recent(Sublist List, Subscription Copy, long Expiry);
}
