using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Connections;
using Nats.Gateway.Config;

namespace Nats.Gateway;

/// <summary>
/// This server's gateway: the listener, the remotes (explicit and implicit) with one outbound
/// connection each, the inbound connections, the INFO we send, and this cluster's interest as
/// the remotes must hear it. nats-server's <c>srvGateway</c>.
/// </summary>
/// <remarks>
/// Split by concern: dialling and reconnecting (.Solicit.cs), local interest and what inbound
/// connections are told (.Interest.cs).
/// Threads: <see cref="_lock"/> guards the remotes and the connection registries (read loops,
/// dial loops, closes); <see cref="_options"/> is replaced by TLS reloads; the rest is set in
/// the constructor and <see cref="Start"/>.
/// </remarks>
internal sealed partial class GatewayManager
{
    /// <summary>The TLS set of the gateway block (inbound, and outbound unless a remote has its own).</summary>
    public const string TlsSetName = "gateway";

    /// <summary>nats-server's <c>gwMaxPingInterval</c>.</summary>
    public static readonly TimeSpan MaxPingInterval = TimeSpan.FromSeconds(15);

    private readonly ILogger _log;
    private readonly object _lock = new();
    private readonly Dictionary<string, RemoteGateway> _remotes = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, GatewayConnection> _inbound = [];
    private readonly CancellationTokenSource _stopping = new();
    private volatile GatewayOptions _options;
    private ConnectionListener? _listener;
    private byte[] _infoLine = [];
    private string _url = "";
    private Timer? _sweep;

    public GatewayManager(NatsServer server, GatewayOptions options, ILogger log)
    {
        Server = server;
        _options = options;
        _log = log;
        Name = options.Name;
        ClusterHash = Encoding.ASCII.GetBytes(GatewayHash.Of(Name));
        OldHash = Encoding.ASCII.GetBytes(GatewayHash.Old(Name));
        ReplyPrefix = Encoding.ASCII.GetBytes($"_GR_.{GatewayHash.Of(Name)}.{GatewayHash.Of(server.ServerId)}.");
        OldReplyPrefix = Encoding.ASCII.GetBytes($"$GR.{GatewayHash.Old(Name)}.");
        Accounts = new AccountNames(server.Accounts);
        Replies = new GatewayReplies(this, RecentSubscriptionWindow);
        foreach (var remote in options.Gateways)
        {
            // Self-entries are ignored: one gateway list can serve every cluster.
            if (remote.Name != Name && !_remotes.ContainsKey(remote.Name))
            {
                _remotes[remote.Name] = new RemoteGateway(remote.Name, remote.Urls, isImplicit: false, remote.Tls is null ? null : RemoteTlsSetName(remote.Name));
            }
        }
    }

    /// <summary>nats-server's <c>defaultGatewayRecentSubExpiration</c>: how long a new subscription maps replies.</summary>
    public static TimeSpan RecentSubscriptionWindow { get; } = TimeSpan.FromSeconds(2);

    public NatsServer Server { get; }

    /// <summary>This cluster's gateway name.</summary>
    public string Name { get; }

    /// <summary>This cluster's <c>_GR_.</c> hash.</summary>
    public byte[] ClusterHash { get; }

    /// <summary>This cluster's legacy hash.</summary>
    public byte[] OldHash { get; }

    /// <summary><c>_GR_.&lt;cluster&gt;.&lt;server&gt;.</c></summary>
    public byte[] ReplyPrefix { get; }

    /// <summary><c>$GR.&lt;hash&gt;.</c></summary>
    public byte[] OldReplyPrefix { get; }

    public AccountNames Accounts { get; }

    public GatewayReplies Replies { get; }

    public GatewayOptions Options => _options;

    /// <summary>The port the gateway listener bound.</summary>
    public int Port => _listener?.Port ?? 0;

    /// <summary>Our gateway URL (host:port), as advertised.</summary>
    public string Url => _url;

    /// <summary>The INFO line inbound connections get.</summary>
    public byte[] InfoLine => Volatile.Read(ref _infoLine);

    /// <summary>Delay before the first dial (nats-server: 1 s, for the cluster to form). Tests shorten it.</summary>
    public TimeSpan SolicitDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause between dial rounds and before reconnecting an explicit remote.</summary>
    public TimeSpan ConnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    public bool RejectUnknown => _options.RejectUnknown;

    public bool InboundTlsRequired => Server.Tls.Get(TlsSetName) is not null;

    public TimeSpan AuthTimeout => GatewayOptionsParser.AuthTimeout(_options);

    public static string RemoteTlsSetName(string remote) => "gateway." + remote;

    /// <summary>Binds the listener, then dials the explicit remotes after <see cref="SolicitDelay"/>.</summary>
    public void Start()
    {
        var options = _options;
        var port = options.Port == -1 ? 0 : options.Port;
        _listener = ConnectionListener.Start("gateway", new HostPort(options.Host, port), _log, AcceptAsync, _stopping.Token);
        GatewayLog.Name(_log, Name);
        GatewayLog.Listening(_log, HostPort.Join(options.Host.Length == 0 ? "0.0.0.0" : options.Host, _listener.Port));
        _url = AdvertisedUrl(options, _listener.Port);
        GatewayLog.Address(_log, Name, _url);
        RebuildInfo();
        JoinCluster();
        _sweep = new Timer(_ => Sweep(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        Server.Accounts.AccountAdded += OnAccountAdded;
        Server.Accounts.AccountRemoved += OnAccountRemoved;
        _ = SolicitExplicitAsync();
    }

    /// <summary>
    /// An account registered at runtime: inbound connections switch it to interest-only at once
    /// (a 2.9+ remote sends nothing for an account it has not heard of), optimistic remotes may
    /// send it everything until told otherwise.
    /// </summary>
    private void OnAccountAdded(Nats.Core.Accounts.AccountEvent added)
    {
        var (outbound, inbound) = Connections();
        foreach (var connection in inbound)
        {
            SwitchToInterestOnly(connection, added.Account.Name);
        }
        foreach (var connection in outbound.Where(c => !c.InterestOnlyPeer))
        {
            connection.Interest?.StartOptimistic([added.Account]);
        }
    }

    private void OnAccountRemoved(Nats.Core.Accounts.AccountEvent removed) => Accounts.Forget(removed.Account);

    /// <summary>Stops listening and dialling and closes every gateway connection.</summary>
    public void Stop()
    {
        _stopping.Cancel();
        Server.Accounts.AccountAdded -= OnAccountAdded;
        Server.Accounts.AccountRemoved -= OnAccountRemoved;
        _listener?.Stop();
        _sweep?.Dispose();
        List<GatewayConnection> connections;
        lock (_lock)
        {
            connections = [.. _inbound.Values, .. _remotes.Values.Select(r => r.Connection).OfType<GatewayConnection>()];
        }
        foreach (var connection in connections)
        {
            connection.Close(ClosedReason.ServerShutdown);
        }
    }

    /// <summary>A TLS reload: new handshakes use the new options.</summary>
    public void UpdateOptions(GatewayOptions options) => _options = options;

    /// <summary>Outbound and inbound connections, for monitoring.</summary>
    public (List<GatewayConnection> Outbound, List<GatewayConnection> Inbound) Connections()
    {
        lock (_lock)
        {
            return (_remotes.Values.Select(r => r.Connection).OfType<GatewayConnection>().ToList(), [.. _inbound.Values]);
        }
    }

    /// <summary>The remotes (explicit and implicit), for monitoring.</summary>
    public List<RemoteGateway> Remotes()
    {
        lock (_lock)
        {
            return [.. _remotes.Values];
        }
    }

    private Task AcceptAsync(Socket socket)
    {
        if (Server.IsLameDuck)
        {
            socket.Dispose();
            return Task.CompletedTask;
        }
        return new GatewayConnection(this, socket, remote: null, url: null, _log).RunAsync();
    }

    /// <summary>The TLS set for dialling <paramref name="remote"/>: its own, else the gateway block's, else none.</summary>
    public string? OutboundTlsSet(RemoteGateway remote)
    {
        if (remote.TlsSet is { } own && Server.Tls.Get(own) is not null)
        {
            return own;
        }
        return Server.Tls.Get(TlsSetName) is not null ? TlsSetName : null;
    }

    /// <summary>nats-server's <c>isGatewayAuthorized</c>: the single user and password, when set.</summary>
    public bool IsAuthorized(GatewayConnect connect)
    {
        var options = _options;
        if (string.IsNullOrEmpty(options.Username))
        {
            return true;
        }
        return connect.User == options.Username && Nats.Core.Security.PasswordVerifier.Verify(options.Password ?? "", connect.Pass);
    }

    /// <summary>Whether <paramref name="name"/> is a configured remote (or ourselves).</summary>
    public bool IsConfigured(string name) => name == Name || _options.Gateways.Any(g => g.Name == name);

    /// <summary>nats-server's <c>sendGatewayConnect</c>: credentials from the URL, else the gateway block's.</summary>
    public GatewayConnect BuildConnect(Uri url, RemoteGateway remote)
    {
        string? user = null;
        string? pass = null;
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            var parts = url.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            pass = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        else
        {
            user = _options.Username;
            pass = _options.Password;
        }
        return new GatewayConnect
        {
            User = string.IsNullOrEmpty(user) ? null : user,
            Pass = string.IsNullOrEmpty(pass) ? null : pass,
            TlsRequired = OutboundTlsSet(remote) is not null,
            Headers = !Server.Options.NoHeaderSupport,
            Name = Server.ServerId,
            Gateway = Name,
        };
    }

    /// <summary>Whether a routed reply's cluster hash is ours.</summary>
    public bool IsOwnCluster(ReadOnlySpan<byte> hash, bool oldPrefix) => hash.SequenceEqual(oldPrefix ? OldHash : ClusterHash);

    /// <summary>The registered outbound connection to the cluster with this hash.</summary>
    public GatewayConnection? OutboundFor(ReadOnlySpan<byte> hash, bool oldPrefix)
    {
        lock (_lock)
        {
            foreach (var remote in _remotes.Values)
            {
                if (remote.Connection is { IsClosed: false } connection && hash.SequenceEqual(oldPrefix ? remote.OldHash : remote.Hash))
                {
                    return connection;
                }
            }
        }
        return null;
    }

    /// <summary>Registers the dialled connection as its remote's; false when it already has one.</summary>
    public bool RegisterOutbound(GatewayConnection connection)
    {
        var remote = connection.Remote!;
        lock (_lock)
        {
            if (remote.Connection is { IsClosed: false } existing && !ReferenceEquals(existing, connection))
            {
                return false;
            }
            remote.Connection = connection;
            remote.Attempts = 0;
            connection.MarkRegistered();
        }
        return true;
    }

    /// <summary>
    /// nats-server's inbound registration: queue subscriptions first, then every account
    /// switched to interest-only (2.9+), then dial back (implicit) and gossip the other remotes.
    /// </summary>
    public void RegisterInbound(GatewayConnection connection, GatewayInfo info)
    {
        lock (_lock)
        {
            _inbound[connection.Id] = connection;
        }
        GatewayLog.InboundRegistered(_log, connection, info.Gateway, info.ServerId);
        SendAllQueueInterest(connection);
        foreach (var account in Server.Accounts.All)
        {
            SwitchToInterestOnly(connection, account.Name);
        }
        if (!string.IsNullOrEmpty(info.Gateway))
        {
            LearnImplicit(info.Gateway, info.GatewayUrls);
            GossipRemotes(connection, info.Gateway);
        }
    }

    /// <summary>Sends the inbound connection an INFO gossip for every other remote we know.</summary>
    private void GossipRemotes(GatewayConnection connection, string except)
    {
        foreach (var remote in Remotes())
        {
            var urls = remote.UrlStrings();
            if (remote.Name == except || urls.Count == 0)
            {
                continue;
            }
            var gossip = new GatewayInfo { ServerId = Server.ServerId, Gateway = remote.Name, GatewayUrls = urls, GatewayCmd = GatewayInfo.CommandGossip };
            connection.SendLine(gossip.ToLine());
        }
    }

    /// <summary>A connection closed: unregister it, and dial its remote again.</summary>
    public void OnConnectionClosed(GatewayConnection connection, ClosedReason reason)
    {
        Replies.Forget(connection);
        if (!connection.IsOutbound)
        {
            lock (_lock)
            {
                _inbound.Remove(connection.Id);
            }
            if (connection.RemoteName is { } name)
            {
                GatewayLog.InboundClosed(_log, connection, name, reason.ToDisplayString());
            }
            return;
        }
        var remote = connection.Remote!;
        bool wasRegistered;
        lock (_lock)
        {
            wasRegistered = ReferenceEquals(remote.Connection, connection);
            if (wasRegistered)
            {
                remote.Connection = null;
            }
        }
        if (wasRegistered)
        {
            GatewayLog.OutboundClosed(_log, connection, remote.Name, reason.ToDisplayString());
        }
    }

    private void Sweep()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        Replies.Sweep(now);
        SweepRecentSubscriptions(now);
    }

    private void RebuildInfo()
    {
        var options = _options;
        var tls = InboundTlsRequired;
        var (host, port) = SplitUrl(_url);
        var info = new GatewayInfo
        {
            ServerId = Server.ServerId,
            ServerName = Server.Name,
            Version = ServerVersion.CompatibleNatsVersion,
            Go = "dotnet" + Environment.Version,
            Host = host,
            Port = port,
            Headers = !Server.Options.NoHeaderSupport,
            AuthRequired = !string.IsNullOrEmpty(options.Username),
            TlsRequired = tls,
            TlsVerify = tls,
            MaxPayload = Server.Options.MaxPayload,
            Gateway = Name,
            GatewayUrl = _url,
            GatewayUrls = ClusterUrls(),
            GatewayNrp = true,
            GatewayIom = true,
        };
        Volatile.Write(ref _infoLine, info.ToLine());
    }

    private static (string Host, int Port) SplitUrl(string url)
    {
        var colon = url.LastIndexOf(':');
        return (url[..colon].Trim('[', ']'), int.Parse(url[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string AdvertisedUrl(GatewayOptions options, int port)
    {
        if (!string.IsNullOrEmpty(options.Advertise))
        {
            return options.Advertise.Contains(':') ? options.Advertise : HostPort.Join(options.Advertise, port);
        }
        var host = options.Host;
        if (HostPort.IsAnyHost(host))
        {
            host = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a))?.ToString() ?? "127.0.0.1";
        }
        return HostPort.Join(host, port);
    }
}
