using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Core.Security;
using Nats.Core.Subjects;
using Nats.Leafnode.Config;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

/// <summary>
/// Runs the leaf node side of a server: the listener for leafs (hub side), one solicit loop per
/// remote (leaf side), the registry of live leaf connections, and the interest observer that
/// tells each of them what changes in its account.
/// </summary>
/// <remarks>
/// Split by concern: the listener and solicit loops (.Connect.cs), leaf URL gossip (.Urls.cs). Threads: the registry is
/// concurrent; observer calls come from any thread; each remote's loop owns its task.
/// </remarks>
public sealed partial class LeafManager : IInterestObserver
{
    /// <summary>The TLS set of the leaf listener in the server's store.</summary>
    public const string ListenerTlsSet = "leafnode";

    /// <summary>The route INFO field under which websocket listeners advertise their URLs (nats-server's name).</summary>
    public const string WebSocketConnectUrlsField = "ws_connect_urls";

    /// <summary>nats-server's loop-detection subject prefix.</summary>
    public const string LoopDetectionPrefix = "$LDS.";

    /// <summary>How long a soliciting leaf waits after a loop or permission error (nats-server's 30 s).</summary>
    public static readonly TimeSpan LoopDelay = TimeSpan.FromSeconds(30);

    internal static ReadOnlySpan<byte> LoopDetectionPrefixBytes => "$LDS."u8;

    // Immutable after construction.
    private readonly NatsServer _server;
    // Replaced whole by a reload (any thread reads it).
    private volatile LeafnodeOptions _options;
    private readonly ILogger _logger;
    private readonly IServerContext _context;

    // Concurrent: the read loops add and remove; observers and monitoring read.
    private readonly ConcurrentDictionary<ulong, LeafConnection> _connections = new();
    private readonly ConcurrentDictionary<string, string> _loopSubjects = new(StringComparer.Ordinal);

    // Each registered link's listing with its account's connections (/connz?acc=, account STATZ):
    // Register adds, OnClosed (or a Register that lost the race with a close) removes and disposes.
    private readonly ConcurrentDictionary<ulong, IDisposable> _listings = new();

    // Cluster members' leaf URLs by server id (.Urls.cs): route read loops write, INFO builders read.
    private readonly ConcurrentDictionary<string, string> _peerLeafUrls = new(StringComparer.Ordinal);

    internal LeafManager(IServerContext context, LeafnodeOptions options, ILogger logger)
    {
        _context = context;
        _server = context.Server;
        _options = options;
        _logger = logger;
        foreach (var remote in options.Remotes)
        {
            InstallRemoteTls(remote);
        }
        // A JWT update can bring new subject mappings: their sources become interest of the account's links.
        // Any account's change (a reload, a JWT update) can add or remove imports of the links' accounts.
        _server.Accounts.AccountUpdated += e =>
        {
            foreach (var connection in _connections.Values)
            {
                connection.OnMappingsChanged(e.Account);
                connection.OnImportsChanged();
            }
        };
        _server.Accounts.AccountAdded += _ => ImportsChanged();
        _server.Accounts.AccountRemoved += _ => ImportsChanged();
    }

    /// <summary>The options this manager runs with.</summary>
    public LeafnodeOptions Options => _options;

    /// <summary>Live, registered leaf connections.</summary>
    public IEnumerable<LeafConnection> Connections => _connections.Values.Where(c => c.IsRegistered);

    /// <summary>Our version string, sent in CONNECT.</summary>
    internal string ServerVersion => _server.Info.Version;

    /// <summary>True when the listener has TLS.</summary>
    internal bool ListenerTls => _options.Tls is not null;

    internal ILogger Log => _logger;

    /// <summary>The account's loop-detection subject, <c>$LDS.</c> and a random token, created once per account.</summary>
    public string LoopDetectionSubject(Account account) =>
        _loopSubjects.GetOrAdd(account.Name, static _ => LoopDetectionPrefix + RandomToken());

    /// <summary>The name a remote binds to locally ($G when empty).</summary>
    internal string LocalAccountName(RemoteLeafOptions remote) =>
        remote.LocalAccount.Length == 0 ? AccountRegistry.GlobalAccountName : remote.LocalAccount;

    /// <summary>The local account of a remote (a resolver may have to fetch it), or null when it does not exist.</summary>
    internal ValueTask<Account?> LocalAccountAsync(RemoteLeafOptions remote, CancellationToken cancellationToken) =>
        remote.LocalAccount.Length == 0 ? ValueTask.FromResult<Account?>(_server.Accounts.Global) : _server.Accounts.FindOrResolveAsync(remote.LocalAccount, cancellationToken);

    /// <summary>The hub's INFO: the first one (with nonce), or the answer to CONNECT (with the bound account).</summary>
    internal LeafInfo BuildInfo(ulong clientId, string? nonce, bool connectInfo, string? account, bool isSystem, Core.Config.PermissionsConfig? permissions)
    {
        var (import, export) = LeafPermissions.ForInfo(permissions);
        var info = _server.Info;
        var tls = ListenerTls;
        return new LeafInfo
        {
            ServerId = info.ServerId,
            ServerName = info.ServerName,
            Version = info.Version,
            Go = info.Go,
            Host = AdvertisedHost,
            Port = AdvertisedPort,
            Headers = !_server.Options.NoHeaderSupport,
            AuthRequired = true,
            TlsRequired = tls,
            TlsVerify = tls && _options.Tls!.Verify,
            MaxPayload = _server.Options.MaxPayload,
            // nats-server's opts.JetStream and opts.JetStreamDomain: the leaf keeps the domain
            // (processLeafnodeInfo) and decides its JetStream denies with it.
            JetStream = info.JetStream,
            Domain = info.Domain,
            ClientId = clientId,
            Nonce = nonce,
            Cluster = string.IsNullOrEmpty(_server.Options.Cluster.Name) ? null : _server.Options.Cluster.Name,
            InfoOnConnect = !connectInfo,
            ConnectInfo = connectInfo,
            LeafnodeUrls = LeafUrls(),
            // The cluster's websocket URLs (the WebSocket plugin advertises them), for leafs over ws.
            WsConnectUrls = _server.GetAllAdvertisedUrls(WebSocketConnectUrlsField) is { Count: > 0 } ws ? [.. ws] : null,
            RemoteAccount = account,
            AccountIsSystem = isSystem,
            Import = import,
            Export = export,
        };
    }

    /// <summary>Adds a link whose handshake completed. False when it was refused (and closed).</summary>
    internal bool Register(LeafConnection connection)
    {
        if (connection.IsClosed)
        {
            return false;
        }
        if (!connection.DidSolicit && connection.RemoteServerName is { Length: > 0 } name)
        {
            // nats-server's addLeafNodeConnection: the same server on the same account again is
            // a reconnect the old link did not notice yet (or a misconfiguration): the old goes.
            foreach (var old in _connections.Values)
            {
                if (!old.DidSolicit && old.RemoteServerName == name && ReferenceEquals(old.Account, connection.Account) && old.IsRegistered)
                {
                    LeafLog.Duplicate(_logger, old);
                    old.Close(ClosedReason.ProtocolViolation, "Duplicate Remote LeafNode Connection");
                }
            }
        }
        var limit = connection.Account?.Limits.MaxLeafNodeConnections ?? AccountLimits.Unlimited;
        if (limit >= 0 && _connections.Values.Count(c => c.IsRegistered && ReferenceEquals(c.Account, connection.Account)) >= limit)
        {
            LeafLog.MaxAccountConnections(_logger, connection, connection.Account!.Name);
            connection.Close(ClosedReason.MaxAccountConnectionsExceeded, Core.Protocol.ProtocolErrors.MaxAccountConnections);
            return false;
        }
        _connections[connection.Id] = connection;
        List(connection);
        LeafLog.Registered(_logger, connection, connection.Account?.Name);
        return true;
    }

    /// <summary>A link closed: out of the registry.</summary>
    internal void OnClosed(LeafConnection connection, bool wasRegistered, ClosedReason reason)
    {
        _connections.TryRemove(connection.Id, out _);
        Unlist(connection);
        LeafLog.Closed(_logger, connection, reason.ToDisplayString(), connection.Account?.Name ?? "");
    }

    /// <summary>
    /// Lists the link with its account's connections, as nats-server counts a leaf among its
    /// account's clients: <c>/connz?acc=</c> shows it, the account's STATZ counts it.
    /// </summary>
    private void List(LeafConnection connection)
    {
        if (connection.Account is not { } account)
        {
            return;
        }
        var listing = new LinkListing(connection.RemoteServerName, () => [.. connection.RemoteSubjects().Select(k => k.Split(' ')[0])]);
        _listings[connection.Id] = _server.ListLink(connection, account, listing);
        if (connection.IsClosed)
        {
            Unlist(connection);   // closed while being listed: OnClosed may have run before
        }
    }

    private void Unlist(LeafConnection connection)
    {
        if (_listings.TryRemove(connection.Id, out var listing))
        {
            listing.Dispose();
        }
    }

    /// <inheritdoc />
    public void OnSubscriptionAdded(Account account, Subscription subscription) => Notify(account, subscription, +1);

    /// <inheritdoc />
    public void OnSubscriptionRemoved(Account account, Subscription subscription) => Notify(account, subscription, -1);

    /// <inheritdoc />
    public void OnQueueWeightChanged(Account account, Subscription subscription, int oldWeight)
    {
        foreach (var connection in _connections.Values)
        {
            if (ReferenceEquals(connection.Account, account))
            {
                connection.OnLocalWeightChanged(subscription, oldWeight);
            }
        }
    }

    private void Notify(Account account, Subscription subscription, int delta)
    {
        foreach (var connection in _connections.Values)
        {
            if (ReferenceEquals(connection.Account, account))
            {
                connection.OnLocalInterest(subscription, delta);
            }
        }
    }

    private void ImportsChanged()
    {
        foreach (var connection in _connections.Values)
        {
            connection.OnImportsChanged();
        }
    }

    private static string RandomToken() => SecureRandom.NewId();
}
