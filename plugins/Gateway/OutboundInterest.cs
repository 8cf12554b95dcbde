using System.Collections.Concurrent;
using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Subjects;

namespace Nats.Gateway;

/// <summary>How an outbound gateway decides what the remote wants, per account (nats-server's <c>GatewayInterestMode</c>).</summary>
public enum InterestMode
{
    /// <summary>Send everything except what the remote said it has no interest in (RS-, A-).</summary>
    Optimistic,

    /// <summary>The remote is sending all its subscriptions; both rules apply until it is done.</summary>
    Transitioning,

    /// <summary>Send only what matches a subscription the remote announced (RS+).</summary>
    InterestOnly,
}

/// <summary>
/// What one remote cluster wants, as its inbound side told our outbound connection: per account
/// the mode, the "no interest" subjects of optimistic mode, and its subscriptions. Those go into
/// the account's sublist with the connection as sink (a catch-all <c>&gt;</c> stands for
/// optimistic interest), so the router offers the connection exactly the candidates and queue
/// groups fall back to it only when no local member is there.
/// </summary>
/// <remarks>
/// Written on the connection's read loop (RS±, A±, INFO commands) and by its close; read by
/// <see cref="GatewayConnection.Forward"/> on publishers' threads under the entry's lock.
/// </remarks>
internal sealed class OutboundInterest
{
    private static readonly byte[] All = ">"u8.ToArray();

    private readonly GatewayConnection _link;
    private readonly ConcurrentDictionary<Account, Entry> _accounts = new();
    private bool _closed;

    public OutboundInterest(GatewayConnection link)
    {
        _link = link;
    }

    private MessageRouter Router => _link.Router;

    /// <summary>Optimistic peers (no <c>gateway_iom</c>): every account starts out wanted.</summary>
    public void StartOptimistic(IEnumerable<Account> accounts)
    {
        foreach (var account in accounts)
        {
            var entry = GetOrAdd(account);
            lock (entry)
            {
                if (!_closed && entry.CatchAll is null)
                {
                    entry.NoInterest = new HashSet<byte[]>(ByteKey.Comparer);
                    entry.CatchAll = Subscribe(account, All, null, 1);
                }
            }
        }
    }

    /// <summary>
    /// For <see cref="GatewayConnection.Forward"/>: whether the remote has plain interest in
    /// <paramref name="subject"/>. Called only when the router matched one of our subscriptions.
    /// </summary>
    public bool HasPlainInterest(Account account, ReadOnlySpan<byte> subject, bool queuesOffered)
    {
        if (!_accounts.TryGetValue(account, out var entry))
        {
            return false;
        }
        lock (entry)
        {
            if (entry.CatchAll is not null && !entry.NoInterest!.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(subject))
            {
                return true;
            }
            if (entry.PlainCount == 0)
            {
                return false;
            }
            // Offered for plain interest only, and not for the catch-all: an announced subscription matched.
            return (!queuesOffered && entry.CatchAll is null) || !entry.Plain.Match(subject).IsEmpty;
        }
    }

    /// <summary>RS+: queue interest always, plain interest once the account left optimistic mode (else it clears an RS-).</summary>
    public void Add(string key, Account account, byte[] subject, byte[]? queue, int weight)
    {
        var entry = queue is null ? _accounts.GetValueOrDefault(account) : GetOrAdd(account);
        if (entry is null)
        {
            return;
        }
        lock (entry)
        {
            if (_closed)
            {
                return;
            }
            if (queue is null && entry.Mode == InterestMode.Optimistic)
            {
                ClearNoInterest(entry, subject);
                return;
            }
            if (entry.Subscriptions.TryGetValue(key, out var existing))
            {
                if (queue is not null && existing.QueueWeight != weight)
                {
                    Router.UpdateQueueWeight(account, existing, weight);
                }
                return;
            }
            var subscription = Subscribe(account, subject, queue, weight);
            entry.Subscriptions[key] = subscription;
            if (queue is null)
            {
                entry.Plain.Insert(new Subscription(subject, null, subscription.Sink));
                entry.PlainCount++;
                ClearNoInterest(entry, subject);
            }
        }
    }

    /// <summary>RS-: withdraws an announced subscription, or (optimistic, plain) records no interest.</summary>
    public void Remove(string key, Account account, byte[] subject, byte[]? queue)
    {
        var entry = queue is null ? GetOrAdd(account) : _accounts.GetValueOrDefault(account);
        if (entry is null)
        {
            return;
        }
        lock (entry)
        {
            if (queue is null && entry.Mode == InterestMode.Optimistic)
            {
                (entry.NoInterest ??= new HashSet<byte[]>(ByteKey.Comparer)).Add(subject);
                return;
            }
            if (!entry.Subscriptions.Remove(key, out var subscription))
            {
                return;
            }
            Router.RemoveSubscription(account, subscription);
            if (queue is null)
            {
                foreach (var plain in entry.Plain.Match(subject).Subscriptions)
                {
                    if (plain.Subject.AsSpan().SequenceEqual(subject))
                    {
                        entry.Plain.Remove(plain);
                        break;
                    }
                }
                entry.PlainCount--;
            }
        }
    }

    /// <summary>A-: the remote wants nothing of this account (its queue interest stays).</summary>
    public void RefuseAccount(Account account)
    {
        if (!_accounts.TryGetValue(account, out var entry))
        {
            return;
        }
        lock (entry)
        {
            DropCatchAll(account, entry);
        }
    }

    /// <summary>A+: the remote has interest in the account again.</summary>
    public void AcceptAccount(Account account, bool optimisticPeer)
    {
        if (!optimisticPeer)
        {
            return;
        }
        var entry = GetOrAdd(account);
        lock (entry)
        {
            if (!_closed && entry.CatchAll is null && entry.Mode == InterestMode.Optimistic)
            {
                entry.NoInterest = new HashSet<byte[]>(ByteKey.Comparer);
                entry.CatchAll = Subscribe(account, All, null, 1);
            }
        }
    }

    /// <summary>INFO gateway_cmd 2: the remote starts sending all its subscriptions of the account.</summary>
    public void BeginInterestOnly(Account account)
    {
        var entry = GetOrAdd(account);
        lock (entry)
        {
            entry.Mode = InterestMode.Transitioning;
        }
    }

    /// <summary>INFO gateway_cmd 3: all sent; from now on only announced interest counts.</summary>
    public void CompleteInterestOnly(Account account)
    {
        var entry = GetOrAdd(account);
        lock (entry)
        {
            entry.Mode = InterestMode.InterestOnly;
            DropCatchAll(account, entry);
        }
    }

    /// <summary>The account's mode and counts, for /gatewayz.</summary>
    public IEnumerable<(Account Account, InterestMode Mode, int NoInterest, int Subscriptions, int QueueSubscriptions)> Snapshot()
    {
        foreach (var (account, entry) in _accounts)
        {
            lock (entry)
            {
                yield return (account, entry.Mode, entry.NoInterest?.Count ?? 0, entry.Subscriptions.Count, entry.Subscriptions.Count - entry.PlainCount);
            }
        }
    }

    /// <summary>The connection closed: all of its interest leaves the sublists, one batch per account.</summary>
    public void RemoveAll()
    {
        foreach (var (account, entry) in _accounts)
        {
            List<Subscription> subscriptions;
            lock (entry)
            {
                _closed = true;
                subscriptions = [.. entry.Subscriptions.Values];
                if (entry.CatchAll is not null)
                {
                    subscriptions.Add(entry.CatchAll);
                    entry.CatchAll = null;
                }
                entry.Subscriptions.Clear();
            }
            if (subscriptions.Count > 0)
            {
                Router.RemoveSubscriptions(account, subscriptions);
            }
        }
    }

    private void DropCatchAll(Account account, Entry entry)
    {
        entry.NoInterest = null;
        if (entry.CatchAll is { } catchAll)
        {
            entry.CatchAll = null;
            Router.RemoveSubscription(account, catchAll);
        }
    }

    private static void ClearNoInterest(Entry entry, byte[] subject)
    {
        if (entry.NoInterest is not { Count: > 0 } noInterest)
        {
            return;
        }
        var text = Encoding.UTF8.GetString(subject);
        if (text.Contains('*') || text.Contains('>'))
        {
            noInterest.RemoveWhere(s => SubjectMatches(Encoding.UTF8.GetString(s), text));
        }
        else
        {
            noInterest.Remove(subject);
        }
    }

    /// <summary>Whether literal <paramref name="subject"/> matches <paramref name="pattern"/> (with * and >).</summary>
    internal static bool SubjectMatches(string subject, string pattern)
    {
        var tokens = subject.Split('.');
        var patterns = pattern.Split('.');
        for (var i = 0; i < patterns.Length; i++)
        {
            if (patterns[i] == ">")
            {
                return tokens.Length > i;
            }
            if (i >= tokens.Length || (patterns[i] != "*" && patterns[i] != tokens[i]))
            {
                return false;
            }
        }
        return tokens.Length == patterns.Length;
    }

    private Subscription Subscribe(Account account, byte[] subject, byte[]? queue, int weight)
    {
        var subscription = new Subscription(subject, queue, _link) { QueueWeight = weight, Owner = account };
        Router.AddSubscription(account, subscription);
        return subscription;
    }

    private Entry GetOrAdd(Account account) => _accounts.GetOrAdd(account, static _ => new Entry());

    private sealed class Entry
    {
        public InterestMode Mode;
        public HashSet<byte[]>? NoInterest;
        public Subscription? CatchAll;
        public readonly Dictionary<string, Subscription> Subscriptions = new(StringComparer.Ordinal);
        // Plain announced subscriptions again, to tell plain from queue interest in Forward.
        public readonly Sublist Plain = new(enableCache: true);
        public int PlainCount;
    }
}
