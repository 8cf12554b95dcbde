using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Core.Subjects;

namespace Nats.Gateway;

/// <summary>
/// One gateway connection, as nats-server's: an outbound one (dialled) carries this server's
/// messages to the remote cluster (RMSG/HMSG) and receives the remote's interest (RS+/RS-,
/// A+/A-); an inbound one (accepted) receives the remote server's messages and sends our
/// interest. Remote interest becomes subscriptions in the accounts' sublists whose sink is the
/// outbound connection, so the router offers it what the remote wants (see .Outbound.cs).
/// </summary>
/// <remarks>
/// Split by concern: parsing (.Parsing.cs), handshake (.Handshake.cs), outbound side
/// (.Outbound.cs), inbound side (.Inbound.cs).
/// Threads: the read loop parses and runs the handshake; <see cref="Forward"/> runs on any
/// publisher's thread; RS+/RS-/A+/A- towards the remote (inbound side) are sent by whoever holds
/// the manager's interest lock. Fields below say who writes them.
/// </remarks>
internal sealed partial class GatewayConnection : LinkConnection, ILinkSink
{
    private readonly GatewayManager _manager;

    // Outbound only: the remote we dialled and the URL (credentials for CONNECT). Immutable.
    private readonly RemoteGateway? _remote;
    private readonly Uri? _url;

    // Written on the read loop during the handshake, read anywhere after.
    private volatile string? _remoteName;
    private volatile GatewayInfo? _remoteInfo;
    private bool _connectReceived;
    private bool _infoReceived;
    private long _authDeadline;

    // Outbound: how the remote announced itself (read loop writes once, before registration).
    private volatile bool _interestOnlyPeer;
    private volatile bool _useOldPrefix;
    private volatile bool _headers;

    public GatewayConnection(GatewayManager manager, Socket socket, RemoteGateway? remote, Uri? url, ILogger logger)
        : base(manager.Server, socket, ConnectionKind.Gateway, solicited: remote is not null, logger)
    {
        _manager = manager;
        _remote = remote;
        _url = url;
        _remoteName = remote?.Name;
        if (remote is not null)
        {
            _outbound = new OutboundInterest(this);
        }
    }

    /// <summary>Gateways never carry what came over a gateway or a route.</summary>
    public LinkKind Kind => LinkKind.Gateway;

    /// <summary>True for the connection this server dialled (messages go out on it).</summary>
    public bool IsOutbound => DidSolicit;

    /// <summary>The remote cluster's gateway name (known from the start when dialled, from INFO when accepted).</summary>
    public string? RemoteName => _remoteName;

    /// <summary>The remote server's INFO.</summary>
    public GatewayInfo? RemoteInfo => _remoteInfo;

    /// <summary>The remote we dialled (outbound only).</summary>
    public RemoteGateway? Remote => _remote;

    /// <summary>The URL dialled (outbound only).</summary>
    public Uri? Url => _url;

    protected override string IdPrefix => "gid";

    protected override string? PeerName => _remoteName;

    /// <summary>nats-server PINGs gateways at min(ping_interval, 15 s), whatever the traffic.</summary>
    protected override TimeSpan PingInterval =>
        Server.Options.PingInterval < GatewayManager.MaxPingInterval ? Server.Options.PingInterval : GatewayManager.MaxPingInterval;

    protected override void OnLinkStarted()
    {
        if (!IsOutbound)
        {
            _authDeadline = Stopwatch.GetTimestamp() + (long)(_manager.AuthTimeout.TotalSeconds * Stopwatch.Frequency);
        }
    }

    /// <summary>An inbound gateway must send CONNECT within the gateway's auth timeout.</summary>
    protected override void OnLinkHeartbeat(long now)
    {
        if (!_connectReceived && _authDeadline != 0 && now >= _authDeadline)
        {
            Close(ClosedReason.AuthenticationTimeout, "Authentication Timeout");
        }
    }

    protected override void OnLinkClosed(ClosedReason reason)
    {
        _outbound?.RemoveAll();
        _manager.OnConnectionClosed(this, reason);
    }

    /// <summary>Queues a protocol line (for the manager, which sends interest and gossip).</summary>
    public void SendLine(ReadOnlySpan<byte> line) => Send(line);
}
