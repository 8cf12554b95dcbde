using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Subjects;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

public sealed partial class LeafConnection
{
    // The peer's interest by key ("subject" or "subject queue"). Read loop adds and removes;
    // the closing thread empties it: guarded by its own lock.
    private readonly Dictionary<string, Subscription> _remoteSubs = new(StringComparer.Ordinal);

    // The local-only subscriptions (imports, JetStream) counted in _interest. The kernel wires
    // imports into the sublist without telling interest observers, so an import a reload adds
    // or removes is found by comparing the sublist with this set. Guarded by itself.
    private readonly HashSet<Subscription> _localOnly = [];

    /// <summary>Number of subscriptions the peer has in our account.</summary>
    public int RemoteSubscriptionCount
    {
        get
        {
            lock (_remoteSubs)
            {
                return _remoteSubs.Count;
            }
        }
    }

    /// <summary>The peer's subscriptions (for /leafz).</summary>
    internal string[] RemoteSubjects()
    {
        lock (_remoteSubs)
        {
            return [.. _remoteSubs.Keys];
        }
    }

    /// <summary>
    /// The link is bound and authenticated: from now on the account's interest flows to the
    /// peer. Sends the initial LS+ set (filtered by what this link may carry) and our
    /// loop-detection subject.
    /// </summary>
    private void Registered()
    {
        var account = _account!;
        var setting = JetStreamSetting(account);
        _jetStreamDeny = LeafJetStreamDeny.For(setting, text => LeafLog.JetStreamNotice(Logger, this, text));
        AddJetStreamDomainMappings(account, setting);
        _registered = true;
        var subs = account.Sublist.All().Where(ShouldAnnounce).ToList();
        lock (_localOnly)
        {
            _localOnly.UnionWith(subs.Where(sub => sub.Sink is ILocalOnlySink));
        }
        _interest.Initialize(subs, [_manager.LoopDetectionSubject(account), .. MappingSources(account)], line => Send(line));
    }

    /// <summary>
    /// The account's subject mappings changed (a JWT update): their sources are announced to
    /// the peer when not already, as nats-server's <c>forceAddToSmap</c> (none is withdrawn).
    /// </summary>
    internal void OnMappingsChanged(Account account)
    {
        if (!_registered || IsClosed || !ReferenceEquals(account, _account))
        {
            return;
        }
        foreach (var source in MappingSources(account))
        {
            _interest.ForceAdd(source, line => Send(line));
        }
    }

    /// <summary>
    /// nats-server announces the sources of the account's subject mappings as interest
    /// (<c>initLeafNodeSmapAndSendSubs</c>): a message the peer publishes there must come here to
    /// be mapped, whether or not anyone subscribes to the source itself. A spoke sends only those
    /// its permissions let it subscribe to.
    /// </summary>
    private IEnumerable<string> MappingSources(Account account) =>
        account.Mappings?.Definitions
            .Select(m => m.Source)
            .Distinct(StringComparer.Ordinal)
            .Where(source => (!_isSpoke || _permissions.MayAnnounce(Encoding.UTF8.GetBytes(source), default))
                && _jetStreamDeny.MayAnnounce(Encoding.UTF8.GetBytes(source), default))
        ?? [];

    /// <summary>An interest change in our account (from a client, a route or another leaf).</summary>
    internal void OnLocalInterest(Subscription subscription, int delta)
    {
        if (!_registered || IsClosed || !ShouldAnnounce(subscription))
        {
            return;
        }
        if (subscription.Sink is ILocalOnlySink)
        {
            lock (_localOnly)
            {
                // Already counted (or uncounted) by OnImportsChanged's look at the sublist.
                if (delta > 0 ? !_localOnly.Add(subscription) : !_localOnly.Remove(subscription))
                {
                    return;
                }
                _interest.Update(subscription, delta, line => Send(line));
            }
            return;
        }
        _interest.Update(subscription, delta, line => Send(line));
    }

    /// <summary>
    /// Some account's imports may have changed (a reload, a JWT update): the local-only
    /// subscriptions of our account are compared with those announced, and the peer gets
    /// <c>LS+</c> for the new ones and <c>LS-</c> for those gone, as nats-server's
    /// <c>updateLeafNodes</c> when an import subscribes or unsubscribes. A stream import
    /// subscribes in the exporter's account, hence every link looks after any account's change.
    /// </summary>
    internal void OnImportsChanged()
    {
        if (!_registered || IsClosed)
        {
            return;
        }
        var current = _account!.Sublist.All().Where(sub => sub.Sink is ILocalOnlySink && ShouldAnnounce(sub)).ToHashSet();
        lock (_localOnly)
        {
            foreach (var gone in _localOnly.Where(sub => !current.Contains(sub)).ToList())
            {
                _localOnly.Remove(gone);
                _interest.Update(gone, -1, line => Send(line));
            }
            foreach (var sub in current)
            {
                if (_localOnly.Add(sub))
                {
                    _interest.Update(sub, +1, line => Send(line));
                }
            }
        }
    }

    /// <summary>A queue group learned over a route or another leaf changed weight: the peer gets <c>LS+ subject queue weight</c> again.</summary>
    internal void OnLocalWeightChanged(Subscription subscription, int oldWeight)
    {
        if (!_registered || IsClosed || subscription.Queue is null || !ShouldAnnounce(subscription))
        {
            return;
        }
        _interest.Reweigh(subscription, oldWeight, line => Send(line));
    }

    /// <summary>
    /// Whether the peer hears of <paramref name="subscription"/>: never its own interest, nor
    /// what the link may not carry (its permissions, JetStream's denies), nor interest that came
    /// from a leaf of the peer's own cluster (nats-server's origin check; loop detection subjects
    /// excepted); a spoke tells its hub only of local interest and of leafs it hubs (nats-server's
    /// <c>updateSmap</c>); a hub tells everything. Local-only subscriptions (imports, JetStream's
    /// API and stream capture) are announced: a leaf's clients use them as local clients do.
    /// </summary>
    private bool ShouldAnnounce(Subscription subscription)
    {
        var sink = subscription.Sink;
        if (ReferenceEquals(sink, this) || !_jetStreamDeny.MayAnnounce(subscription.Subject, subscription.Queue))
        {
            return false;
        }
        // Loop detection subjects pass the permission and origin checks (nats-server's
        // updateLeafNodes), never the spoke's rule below: a hub's $LDS that a spoke learned and
        // routed to another member of its cluster must not go back to that hub (it would call
        // it a loop).
        if (!subscription.SubjectString.StartsWith(LeafManager.LoopDetectionPrefix, StringComparison.Ordinal)
            && (!_permissions.MayAnnounce(subscription.Subject, subscription.Queue) || (subscription.OriginCluster is { } origin && origin == RemoteCluster)))
        {
            return false;
        }
        if (!_isSpoke)
        {
            return true;
        }
        return sink switch
        {
            LeafConnection leaf => !leaf.IsSpoke,
            ILinkSink => false,
            _ => true,
        };
    }

    /// <summary>
    /// <c>LS+</c>: the peer's interest enters our account as a subscription whose sink is this
    /// link. Our own loop-detection subject coming back means the link loops.
    /// </summary>
    private void ProcessRemoteSub(ref LeafCommand command)
    {
        if (!_registered)
        {
            return;
        }
        var account = _account!;
        if (command.Subject.StartsWith(LeafManager.LoopDetectionPrefixBytes)
            && Encoding.UTF8.GetString(command.Subject) == _manager.LoopDetectionSubject(account))
        {
            CloseForLoop(sendError: true);
            return;
        }
        if (!SubjectValidator.IsValidSubject(command.Subject))
        {
            return;
        }
        var key = Encoding.UTF8.GetString(command.Key);
        Subscription? existing;
        lock (_remoteSubs)
        {
            _remoteSubs.TryGetValue(key, out existing);
        }
        if (existing is not null)
        {
            if (existing.Queue is not null)
            {
                // The group's new member count: routes and other leafs hear of it from the kernel.
                Server.Router.UpdateQueueWeight(account, existing, command.QueueWeight);
            }
            return;
        }
        var subscription = new Subscription(command.Subject.ToArray(), command.Queue.IsEmpty ? null : command.Queue.ToArray(), this)
        {
            QueueWeight = Math.Max(1, command.QueueWeight),
            Owner = account,
            // nats-server's sub.origin: routes carry it (LS+ with origin), and no leaf of that
            // cluster hears of it again (it would be a second path into the same cluster).
            OriginCluster = string.IsNullOrEmpty(RemoteCluster) ? null : RemoteCluster,
        };
        lock (_remoteSubs)
        {
            if (IsClosed)
            {
                return;
            }
            _remoteSubs[key] = subscription;
        }
        Server.Router.AddSubscription(account, subscription);
    }

    /// <summary><c>LS-</c>: the key is exactly what LS+ filed the interest under.</summary>
    private void ProcessRemoteUnsub(ref LeafCommand command)
    {
        var account = _account;
        if (!_registered || account is null)
        {
            return;
        }
        var key = Encoding.UTF8.GetString(command.Key);
        Subscription? subscription;
        lock (_remoteSubs)
        {
            if (!_remoteSubs.Remove(key, out subscription))
            {
                return;
            }
        }
        Server.Router.RemoveSubscription(account, subscription);
    }

    /// <summary>All of the peer's interest leaves at once (the link closed).</summary>
    private void RemoveAllRemoteInterest()
    {
        var account = _account;
        Subscription[] subs;
        lock (_remoteSubs)
        {
            subs = [.. _remoteSubs.Values];
            _remoteSubs.Clear();
        }
        if (account is not null && subs.Length > 0)
        {
            Server.Router.RemoveSubscriptions(account, subs);
        }
    }

    /// <summary>What both sides say about JetStream, for <see cref="LeafJetStreamDeny"/>.</summary>
    private LeafJetStreamSetting JetStreamSetting(Account account)
    {
        var info = Server.Info;
        var defaults = Server.JetStreamDefaultDomains;
        return new LeafJetStreamSetting(
            account.Name,
            account.IsSystem,
            Server.Accounts.System is not null,
            info.JetStream,
            info.Domain,
            DidSolicit ? _remoteDomain : _connect?.Domain,
            AccountDefaultDomain: defaults.GetValueOrDefault(account.Name),
            AnyEmptyDefaultDomain: defaults.Values.Any(d => d.Length == 0));
    }

    /// <summary>
    /// nats-server's <c>addLeafNodeConnection</c>: a server running JetStream with a domain maps
    /// that domain's API, <c>$KV</c> and <c>$OBJ</c> to its own in the link's account (not the
    /// system account's, nor an account <c>default_js_domain</c> keeps on the empty domain), so
    /// the peer's clients reach it through <c>$JS.&lt;domain&gt;.API.&gt;</c>. Before the link
    /// announces its interest: the mapping sources are among it.
    /// </summary>
    private void AddJetStreamDomainMappings(Account account, LeafJetStreamSetting setting)
    {
        if (account.IsSystem || !setting.JetStreamEnabled || string.IsNullOrEmpty(setting.LocalDomain) || setting.AccountDefaultDomain == "")
        {
            return;
        }
        var table = JetStreamDomainMappings.ToLocal(setting.LocalDomain);
        Server.Accounts.AddMappings(account, table);
        // Every entry, as nats-server (its AddMapping replaces one the account already has, such
        // as those JetStream added to its own accounts).
        foreach (var mapping in table)
        {
            LeafLog.DomainMapping(Logger, this, mapping.Source, mapping.Destinations[0].Subject, account.Name);
        }
    }
}
