using System.Collections.Concurrent;
using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Subjects;

namespace Nats.Core.SystemServices;

/// <summary>
/// The service imports nats-server gives every account (events.go <c>registerSystemImports</c>):
/// a client of any account may request <c>$SYS.REQ.ACCOUNT.PING.CONNZ</c> (and the same on
/// <c>$SYS.REQ.SERVER.PING.CONNZ</c>) and <c>$SYS.REQ.ACCOUNT.PING.STATZ</c>, and gets what
/// <c>$SYS.REQ.ACCOUNT.&lt;its account&gt;.CONNZ/STATZ</c> answers, one answer per server.
/// </summary>
/// <remarks>
/// The kernel's configured imports cannot put the importer's name into the exported subject,
/// and their private reply subjects are local-only, so answers from other servers of a cluster
/// would not come back. Here the request is re-published by the system client (whose
/// subscriptions travel over routes) with a reply subject it subscribes to, and every answer
/// is delivered in the requesting account on the requester's reply subject.
/// </remarks>
internal sealed class SystemImports
{
    // nats-server's default response threshold for a streamed service export.
    private static readonly TimeSpan ResponseThreshold = TimeSpan.FromMinutes(2);

    private static readonly (string Local, string Page)[] Imports =
    [
        ("$SYS.REQ.ACCOUNT.PING.CONNZ", "CONNZ"),
        ("$SYS.REQ.SERVER.PING.CONNZ", "CONNZ"),
        ("$SYS.REQ.ACCOUNT.PING.STATZ", "STATZ"),
    ];

    private readonly NatsServer _server;
    private readonly SystemClient _client;
    private readonly Account _system;
    private readonly string _replyPrefix = "$SYS._IMPORT_." + Security.Nonce.Generate() + ".";
    // Touched by the requesting clients' threads (add, prune) and the system client (lookup).
    private readonly ConcurrentDictionary<string, PendingReply> _replies = new(StringComparer.Ordinal);
    // Changed by whichever thread adds or removes an account: each account's import subscriptions.
    private readonly ConcurrentDictionary<Account, Subscription[]> _imported = new();
    private long _sequence;

    public SystemImports(NatsServer server, SystemClient client, Account system)
    {
        _server = server;
        _client = client;
        _system = system;
    }

    /// <summary>Imports into every account there is, and into each account added later (JWT, reload).</summary>
    public void Start()
    {
        _client.Subscribe(_replyPrefix + "*", OnAnswer);
        _server.Accounts.AccountAdded += e => Add(e.Account);
        _server.Accounts.AccountRemoved += e => Remove(e.Account);
        foreach (var account in _server.Accounts.All)
        {
            Add(account);
        }
    }

    private void Add(Account account)
    {
        if (account.IsSystem || ReferenceEquals(account, _system))
        {
            return;
        }
        var subscriptions = Imports.Select(i => new Subscription(Encoding.UTF8.GetBytes(i.Local), null, new RequestSink(this, account, i.Page))).ToArray();
        if (_imported.TryAdd(account, subscriptions))
        {
            foreach (var subscription in subscriptions)
            {
                account.Sublist.Insert(subscription);
            }
        }
    }

    /// <summary>A removed account's sublist is left empty, as its other imports' are.</summary>
    private void Remove(Account account)
    {
        if (_imported.TryRemove(account, out var subscriptions))
        {
            foreach (var subscription in subscriptions)
            {
                account.Sublist.Remove(subscription);
            }
        }
    }

    /// <summary>A local client's request (on its thread): sent on as the account's own request.</summary>
    private bool Request(Account account, string page, in MessageView message)
    {
        if (message.Reply.IsEmpty)
        {
            return false;
        }
        var now = DateTime.UtcNow;
        foreach (var (key, pending) in _replies)
        {
            if (pending.Expires < now)
            {
                _replies.TryRemove(key, out _);
            }
        }
        var token = Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _replies[token] = new PendingReply(account, message.Reply.ToArray(), now + ResponseThreshold);
        _client.Publish($"$SYS.REQ.ACCOUNT.{account.Name}.{page}", message.Payload, _replyPrefix + token);
        return true;
    }

    /// <summary>An answer from any server: delivered in the requester's account, on its reply subject.</summary>
    private ValueTask OnAnswer(string subject, string? reply, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload)
    {
        if (_replies.TryGetValue(subject[_replyPrefix.Length..], out var pending) && !pending.Account.IsRemoved)
        {
            _server.Router.Publish(pending.Account, new MessageView(pending.Reply, default, headers.Span, payload.Span), MessageOrigin.Internal);
        }
        return ValueTask.CompletedTask;
    }

    private readonly record struct PendingReply(Account Account, byte[] Reply, DateTime Expires);

    /// <summary>In an importing account's sublist; local-only, as nats-server's import subscriptions are.</summary>
    private sealed class RequestSink(SystemImports owner, Account account, string page) : ILocalOnlySink
    {
        public bool Deliver(Subscription subscription, in MessageView message) => owner.Request(account, page, message);
    }
}
