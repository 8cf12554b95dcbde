using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Protocol;
using Nats.Core.Subjects;
using Nats.Core.Logging;

namespace Nats.Core.Cluster;

/// <summary>
/// A connection to another server of the cluster. It carries that server's interest
/// (RS+/RS-) into our sublists as subscriptions whose sink is this route, forwards local
/// messages the far side is interested in (RMSG/HMSG), and delivers the messages it
/// receives to local subscribers only.
/// </summary>
/// <remarks>Split by concern: parsing and operations (.Operations.cs), remote interest
/// (.Interest.cs), message forwarding (.Forwarding.cs).</remarks>
public sealed partial class RouteConnection : LinkConnection, ILinkSink
{
    private readonly RouteManager _manager;
    private string? _nonce;

    internal RouteConnection(NatsServer server, RouteManager manager, Socket socket, Uri? solicitedUrl, bool isExplicit)
        : base(server, socket, Plugins.ConnectionKind.Route, solicited: solicitedUrl is not null, manager.Log)
    {
        _manager = manager;
        Url = solicitedUrl;
        IsExplicit = isExplicit;
    }

    /// <summary>Routes never carry what came over a route.</summary>
    public LinkKind Kind => LinkKind.Route;

    /// <summary>True when the route is configured (retried forever), false when discovered.</summary>
    public bool IsExplicit { get; }

    /// <summary>The URL dialled, or built from the peer's INFO for accepted routes.</summary>
    public Uri? Url { get; internal set; }

    /// <summary>The peer's server id, once its INFO arrived.</summary>
    public string? RemoteId => RemoteInfo?.ServerId;

    /// <summary>The peer's server name, once its INFO arrived.</summary>
    public string? RemoteName => RemoteInfo?.ServerName;

    /// <summary>The INFO the peer introduced itself with (later ones are gossip or lame duck notices).</summary>
    public RouteInfo? RemoteInfo { get; private set; }

    /// <summary>Client URLs the peer advertised (for connect_urls).</summary>
    internal IReadOnlyList<string> ConnectUrls { get; set; } = [];

    /// <summary>The route manager's INFO version when our first INFO to the peer was built (set on the handshake, read on registration).</summary>
    internal int InfoVersionSent { get; private set; }

    /// <summary>True once registered as the route to <see cref="RemoteId"/>.</summary>
    internal bool IsRegistered { get; set; }

    /// <summary>Set when a duplicate of this route was dropped: reconnect if this one fails.</summary>
    internal bool Retry { get; set; }

    /// <summary>Whether the peer accepts HMSG.</summary>
    internal bool HeadersEnabled { get; private set; }

    /// <summary>
    /// With cluster TLS, the handshake comes first, before CONNECT and INFO (as nats-server's
    /// <c>createRoute</c>): a dialled route is the TLS client, presenting the cluster certificate
    /// and checking the other server's against the cluster CA; an accepted one is the server and
    /// requires the other's certificate. The set is taken now, so every dial uses the
    /// certificate in force at that moment. Without TLS nothing is awaited, so no state machine
    /// runs (its framework generic code is JIT-compiled on a joining member's first route, issue 18).
    /// </summary>
    protected override ValueTask<bool> HandshakeAsync() =>
        Server.Tls.Get(Security.Tls.TlsStore.ClusterSet) is null ? new(SendGreeting()) : HandshakeOverTlsAsync();

    private async ValueTask<bool> HandshakeOverTlsAsync() =>
        await UpgradeToTlsAsync(Security.Tls.TlsStore.ClusterSet, Url?.IdnHost).ConfigureAwait(false) && SendGreeting();

    private bool SendGreeting()
    {
        if (DidSolicit)
        {
            Out.Append(_manager.BuildConnect(Url!));
            RouteLog.ConnectSent(Log, this);
        }
        _nonce = Security.Nonce.Generate();
        InfoVersionSent = _manager.InfoVersion;
        Out.Append(_manager.BuildInfo(_nonce).ToProtocolLine());
        return true;
    }

    /// <inheritdoc />
    protected override TimeSpan PingInterval => _manager.PingInterval;

    /// <inheritdoc />
    protected override void OnLinkStarted()
    {
        if (!DidSolicit && _manager.AuthRequired)
        {
            _authDeadline = System.Diagnostics.Stopwatch.GetTimestamp() + ToTicks(Server.Options.Cluster.AuthTimeout);
        }
        RouteLog.Created(Log, this);
    }

    private long _authDeadline;

    /// <summary>An accepted route must send CONNECT within the cluster's auth timeout.</summary>
    protected override void OnLinkHeartbeat(long now)
    {
        if (!_connectReceived && _authDeadline != 0 && now >= _authDeadline)
        {
            Close(ClosedReason.AuthenticationTimeout, ProtocolErrors.AuthenticationTimeout);
        }
    }

    /// <inheritdoc />
    protected override void OnLinkClosed(ClosedReason reason)
    {
        RemoveAllRemoteInterest();
        _manager.OnRouteClosed(this, reason);
    }

    /// <summary>True when the peer takes leaf interest with its origin cluster (its INFO has <c>lnoc</c>).</summary>
    internal bool AcceptsLeafOrigin => RemoteInfo?.LeafNodeOriginCluster == true;

    /// <summary>Records the peer's INFO the first time it arrives.</summary>
    internal void SetRemote(RouteInfo info)
    {
        RemoteInfo = info;
        HeadersEnabled = info.Headers && !Server.Options.NoHeaderSupport;
        ConnectUrls = info.ConnectUrls ?? [];
    }

    /// <inheritdoc />
    protected override string IdPrefix => "rid";

    /// <inheritdoc />
    protected override string? PeerName => RemoteName;

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
