using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Logging;

namespace Nats.Core.Cluster;

/// <summary>
/// Clustering with routes, as nats-server does it: a route listener, dialled routes (explicit
/// ones retried forever, discovered ones by <c>connect_retries</c>), one route per peer
/// server, gossip so one seed is enough to form a full mesh, interest propagation, and the
/// cluster's client URLs for connect_urls.
/// </summary>
/// <remarks>Split by concern: membership and gossip (.Membership.cs), dialling
/// (.Solicit.cs), local interest propagation (.Interest.cs).</remarks>
public sealed partial class RouteManager
{
    private readonly NatsServer _server;
    private readonly ConcurrentDictionary<ulong, RouteConnection> _connections = new();
    private readonly ConcurrentDictionary<string, RouteConnection> _routesById = new(StringComparer.Ordinal);
    private ConnectionListener? _listener;
    private string _clusterName;
    // Bumped (Interlocked) by AnnounceInfo before it re-sends INFO to registered routes; a
    // route registering later compares it with the version its first INFO was built at
    // (any route thread, any plugin thread).
    private int _infoVersion;

    internal RouteManager(NatsServer server, ClusterOptions options)
    {
        _server = server;
        Log = server.LoggerFactory.CreateLogger("Nats.Route");
        IsNameDynamic = string.IsNullOrEmpty(options.Name);
        _clusterName = IsNameDynamic ? Security.Nonce.Generate() : options.Name!;
    }

    /// <summary>The cluster name (generated when none was configured, then adopted from peers).</summary>
    public string ClusterName => Volatile.Read(ref _clusterName);

    /// <summary>True when no name was configured.</summary>
    public bool IsNameDynamic { get; }

    /// <summary>The bound route port.</summary>
    public int Port { get; private set; }

    /// <summary>Registered routes, one per peer server.</summary>
    public IReadOnlyCollection<RouteConnection> Routes => (IReadOnlyCollection<RouteConnection>)_routesById.Values;

    internal ILogger Log { get; }

    internal bool AuthRequired => !string.IsNullOrEmpty(_server.Options.Cluster.Username);

    /// <summary>True when routes run over TLS (<c>cluster { tls {} }</c>); peers' certificates are then always verified.</summary>
    internal bool TlsRequired => _server.TlsSets.Find(Security.Tls.TlsStore.ClusterSet) is not null;

    /// <summary>Routes PING at the client interval, but at least once a minute (as nats-server).</summary>
    internal TimeSpan PingInterval => _server.Options.PingInterval < TimeSpan.FromMinutes(1) ? _server.Options.PingInterval : TimeSpan.FromMinutes(1);

    /// <summary>
    /// Binds the route port and counts local interest, before the client port opens: routes
    /// wait in the backlog until <see cref="Start"/>, and none is dialled before then.
    /// </summary>
    internal void Bind()
    {
        var options = _server.Options.Cluster;
        _listener = ConnectionListener.Bind("route", new HostPort(options.Host, options.Port), Log, AcceptRouteAsync, _server.ShutdownToken, backlog: 512);
        Port = _listener.Port;
        SeedInterest();
    }

    /// <summary>Accepts routes and dials the configured ones (after the client port is ready, as nats-server's solicitRoutes).</summary>
    internal void Start()
    {
        var options = _server.Options.Cluster;
        _listener!.StartAccepting();
        // Routes hear of lame duck mode and reloads as a plugin's links would.
        _server.Events.LameDuckEntered += AnnounceLameDuck;
        _server.Events.Reloaded += (previous, current) => ApplyReload(previous.Cluster, current.Cluster);
        RouteLog.ClusterName(Log, ClusterName);
        if (IsNameDynamic)
        {
            RouteLog.ClusterNameDynamic(Log);
        }
        RouteLog.Listening(Log, HostPort.Join(options.Host, Port));
        foreach (var url in options.Routes)
        {
            StartDialling(url, isExplicit: true);
        }
    }

    internal void Stop()
    {
        _listener?.Stop();
        foreach (var route in _connections.Values)
        {
            route.Close(ClosedReason.ServerShutdown);
        }
    }

    private Task AcceptRouteAsync(Socket socket)
    {
        if (_server.IsLameDuck)
        {
            socket.Dispose();
            return Task.CompletedTask;
        }
        return RunRouteAsync(socket, solicitedUrl: null, isExplicit: false);
    }

    // Not async: the route's own run is the task, and a state machine of its own here is
    // framework generic code the JIT compiles on a joining member's first route (issue 18).
    private Task RunRouteAsync(Socket socket, Uri? solicitedUrl, bool isExplicit)
    {
        var route = new RouteConnection(_server, this, socket, solicitedUrl, isExplicit);
        _connections[route.Id] = route;
        return route.RunAsync();
    }

    /// <summary>The INFO this server sends on routes (with a fresh nonce per connection).</summary>
    internal RouteInfo BuildInfo(string? nonce)
    {
        var options = _server.Options;
        var info = new RouteInfo
        {
            ServerId = _server.ServerId,
            ServerName = _server.Name,
            Version = ServerVersion.CompatibleNatsVersion,
            Proto = 2,
            Go = "dotnet" + Environment.Version,
            Host = options.Cluster.Host,
            Port = Port,
            Headers = !options.NoHeaderSupport,
            AuthRequired = AuthRequired,
            TlsRequired = TlsRequired,
            TlsVerify = TlsRequired,
            MaxPayload = options.MaxPayload,
            Nonce = nonce,
            Cluster = ClusterName,
            ClusterDynamic = IsNameDynamic,
            ConnectUrls = options.Cluster.NoAdvertise ? null : [.. _server.OwnClientUrls],
            AdvertisedFields = MergeFields(options.Cluster.NoAdvertise ? null : _server.OwnAdvertisedFields(), _server.RouteInfoFields()),
            LameDuckMode = _server.IsLameDuck,
            LeafNodeOriginCluster = true,   // as nats-server 2.9: we read LS+ with an origin
        };
        if (!string.IsNullOrEmpty(options.Cluster.Advertise))
        {
            var (host, port) = HostPort.Parse(options.Cluster.Advertise, Port);
            info.Host = host;
            info.Port = port;
            info.Ip = $"nats-route://{HostPort.Join(host, port)}/";
        }
        return info;
    }

    /// <summary>Advertised URL lists (withheld by no_advertise) plus plugins' fields (always sent, as nats-server's gateway_url).</summary>
    private static Dictionary<string, System.Text.Json.JsonElement>? MergeFields(
        Dictionary<string, System.Text.Json.JsonElement>? advertised, Dictionary<string, System.Text.Json.JsonElement>? plugins)
    {
        if (advertised is null || plugins is null)
        {
            return advertised ?? plugins;
        }
        foreach (var (name, value) in plugins)
        {
            advertised[name] = value;
        }
        return advertised;
    }

    /// <summary>The CONNECT for a route this server dials.</summary>
    internal byte[] BuildConnect(Uri url)
    {
        var options = _server.Options;
        string? user = null;
        string? pass = null;
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            var parts = url.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            pass = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }
        else if (!string.IsNullOrEmpty(options.Cluster.Username))
        {
            user = options.Cluster.Username;
            pass = options.Cluster.Password;
        }
        return new RouteConnect
        {
            Echo = true,
            User = user,
            Pass = pass,
            TlsRequired = TlsRequired,
            Headers = !options.NoHeaderSupport,
            Name = _server.ServerId,
            Cluster = ClusterName,
            ClusterDynamic = IsNameDynamic,
        }.ToProtocolLine();
    }

    /// <summary>Checks an inbound route's CONNECT; returns why it is refused, or null.</summary>
    internal (string Reason, ClosedReason CloseReason)? CheckConnect(RouteConnect connect)
    {
        if (!string.IsNullOrEmpty(connect.Gateway))
        {
            return ($"Rejecting connection from gateway \"{connect.Gateway}\" on the Route port", ClosedReason.ProtocolViolation);
        }
        var options = _server.Options.Cluster;
        if (AuthRequired &&
            (connect.User != options.Username || !Security.PasswordVerifier.Verify(options.Password ?? "", connect.Pass)))
        {
            return (Protocol.ProtocolErrors.AuthorizationViolation, ClosedReason.AuthenticationViolation);
        }
        if (connect.Cluster != ClusterName && !TryAdoptClusterName(connect.Cluster, connect.ClusterDynamic))
        {
            return ($"Rejecting connection, cluster name \"{connect.Cluster}\" does not match \"{ClusterName}\"", ClosedReason.ClusterNameConflict);
        }
        return null;
    }

    /// <summary>
    /// A server without a configured cluster name takes a peer's configured name, or the
    /// smaller of two generated ones, so that a cluster converges on one name.
    /// </summary>
    private bool TryAdoptClusterName(string? peerName, bool peerDynamic)
    {
        if (string.IsNullOrEmpty(peerName))
        {
            return true;
        }
        if (!IsNameDynamic || (peerDynamic && string.CompareOrdinal(ClusterName, peerName) <= 0))
        {
            return false;
        }
        Volatile.Write(ref _clusterName, peerName);
        _server.UpdateInfo(info => info with { Cluster = peerName });
        return true;
    }

    /// <summary>The account an RS+/RMSG names; for an unknown one, the account resolvers' answer in flight (<see cref="AccountRegistry.FindForLink"/>).</summary>
    internal Account? FindAccount(ReadOnlySpan<byte> name, out Task? pending) => _server.Accounts.FindForLink(System.Text.Encoding.UTF8.GetString(name), out pending);
}
