using System.Collections.Concurrent;
using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Subjects;

namespace Nats.Core.SystemServices;

/// <summary>
/// The service imports nats-server gives every account (events.go <c>registerSystemImports</c>):
/// a client of any account may request <c>$SYS.REQ.ACCOUNT.PING.CONNZ</c> (and the same on
/// <c>$SYS.REQ.SERVER.PING.CONNZ</c>) and <c>$SYS.REQ.ACCOUNT.PING.STATZ</c>, and gets what
/// <c>$SYS.REQ.ACCOUNT.&lt;its account&gt;.CONNZ/STATZ</c> answers, one answer per server; and
/// (nats-server 2.10, the system account too) <c>$SYS.REQ.USER.INFO</c>, answered by this server
/// alone as <c>$SYS.REQ.USER.&lt;its account&gt;.INFO</c> with the requester's identity
/// (<see cref="SystemRequest.Requester"/>).
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

    /// <summary>Asked by a client of any account about itself.</summary>
    internal const string UserInfoSubject = "$SYS.REQ.USER.INFO";

    private readonly NatsServer _server;
    private readonly SystemClient _client;
    private readonly SystemServiceHost _host;
    private readonly Account _system;
    private readonly string _replyPrefix = "$SYS._IMPORT_." + Security.Nonce.Generate() + ".";
    // Touched by the requesting clients' threads (add, prune) and the system client (lookup).
    private readonly ConcurrentDictionary<string, PendingReply> _replies = new(StringComparer.Ordinal);
    // Changed by whichever thread adds or removes an account: each account's import subscriptions.
    private readonly ConcurrentDictionary<Account, Subscription[]> _imported = new();
    private long _sequence;

    public SystemImports(NatsServer server, SystemClient client, SystemServiceHost host, Account system)
    {
        _server = server;
        _client = client;
        _host = host;
        _system = system;
    }

    /// <summary>
    /// The imports <paramref name="account"/> has, as nats-server lists its service imports from the
    /// system account: the local subject, the system account's subject, and whether the requester's
    /// details are shared with the service.
    /// </summary>
    internal static IEnumerable<(string Local, string Export, bool Share)> Describe(Account account, Account system)
    {
        var isSystem = account.IsSystem || ReferenceEquals(account, system);
        var imports = isSystem ? [] : Imports.Select(i => (i.Local, $"$SYS.REQ.ACCOUNT.{account.Name}.{i.Page}", false));
        return imports.Append((UserInfoSubject, $"$SYS.REQ.USER.{account.Name}.INFO", true));
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
        var userInfo = new Subscription(Encoding.UTF8.GetBytes(UserInfoSubject), null, new UserInfoSink(this, account));
        // The system account imports only its own user info (nats-server's addSystemAccountExports).
        Subscription[] subscriptions = account.IsSystem || ReferenceEquals(account, _system)
            ? [userInfo]
            : [.. Imports.Select(i => new Subscription(Encoding.UTF8.GetBytes(i.Local), null, new RequestSink(this, account, i.Page))), userInfo];
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

    /// <summary>
    /// A local client's <c>$SYS.REQ.USER.INFO</c> (on its thread): answered here for the client
    /// that published it, in its account, on its reply subject.
    /// </summary>
    private bool UserInfo(Account account, in MessageView message)
    {
        if (message.Reply.IsEmpty || MessageRouter.Publisher is not ClientConnection client)
        {
            return false;
        }
        var grant = client.Grant;
        var requester = new SystemRequester
        {
            // Who published, even when an import brought the request into this account.
            Account = client.Account.Name,
            User = client.User,
            ClientId = client.Id,
            Name = client.Options.Name,
            Permissions = grant?.Permissions,
            Expires = grant?.Expires,
        };
        var reply = message.Reply.ToArray();
        _host.HandleImported($"$SYS.REQ.USER.{client.Account.Name}.INFO", Encoding.UTF8.GetString(reply), requester, message.Headers.ToArray(), message.Payload.ToArray(),
            answer => _server.Router.Publish(account, new MessageView(reply, default, default, answer), MessageOrigin.Internal));
        return true;
    }

    private readonly record struct PendingReply(Account Account, byte[] Reply, DateTime Expires);

    /// <summary>In an importing account's sublist; local-only, as nats-server's import subscriptions are.</summary>
    private sealed class RequestSink(SystemImports owner, Account account, string page) : ILocalOnlySink
    {
        public bool Deliver(Subscription subscription, in MessageView message) => owner.Request(account, page, message);
    }

    /// <summary>In every account's sublist (the system account's too); local-only: the requester is connected here.</summary>
    private sealed class UserInfoSink(SystemImports owner, Account account) : ILocalOnlySink
    {
        public bool Deliver(Subscription subscription, in MessageView message) => owner.UserInfo(account, message);
    }
}
