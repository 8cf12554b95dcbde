using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Core.Subjects;
using Nats.Leafnode.Config;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

/// <summary>
/// One leaf node connection, accepted (we may be its hub) or solicited to a remote (we are
/// usually its spoke). Bound to one local account once authenticated (hub side) or from the
/// remote's <c>account</c> (leaf side). It carries the peer's interest (LS+/LS-) into that
/// account's sublist as subscriptions whose sink is this link, announces the account's
/// interest to the peer (<see cref="LeafInterestMap"/>), forwards matching messages as
/// LMSG/HMSG, and publishes the peer's messages into the account.
/// </summary>
/// <remarks>
/// Split by concern: the handshake (.Handshake.cs), the read side (.Reading.cs), interest
/// (.Interest.cs), messages (.Forwarding.cs).
/// Threads: parsing and the handshake run on the link's read loop; <see cref="Forward"/> and
/// <see cref="OnLocalInterest"/> on whichever thread routes a message or changes interest;
/// <see cref="OnLinkClosed"/> on the closing thread. Fields written by the read loop before
/// <see cref="IsRegistered"/> is set are read by others only after it (volatile).
/// </remarks>
public sealed partial class LeafConnection : LinkConnection, ILinkSink
{
    // Immutable after construction.
    private readonly LeafManager _manager;
    private readonly LeafnodeOptions _options;
    private readonly LeafInterestMap _interest = new();

    // Set by the read loop during the handshake, read by others once registered.
    private volatile Account? _account;
    private volatile bool _registered;
    private volatile bool _isSpoke;
    private volatile LeafPermissions _permissions = LeafPermissions.None;
    private volatile LeafJetStreamDeny _jetStreamDeny = LeafJetStreamDeny.None;

    internal LeafConnection(NatsServer server, Socket socket, LeafManager manager, LeafnodeOptions options, RemoteLeafOptions? remote, Uri? url, LeafInfo? firstInfo, string? nonce, ILogger logger)
        : base(server, socket, ConnectionKind.Leaf, solicited: remote is not null, logger)
    {
        _manager = manager;
        _options = options;
        Remote = remote;
        Url = url;
        _nonce = nonce;
        InitSolicited(firstInfo);
    }

    /// <summary>
    /// A link over a WebSocket (accepted by the WebSocket plugin's listener, or dialled to a
    /// <c>ws://</c>/<c>wss://</c> remote): TLS, if any, ran under the WebSocket, so the leaf
    /// protocol does none of its own (nats-server skips it for websocket connections).
    /// </summary>
    internal LeafConnection(NatsServer server, Stream webSocket, IPEndPoint? remoteEndPoint, IPEndPoint? localEndPoint, TlsConnectionInfo? transportTls,
        LeafManager manager, LeafnodeOptions options, RemoteLeafOptions? remote, Uri? url, LeafInfo? firstInfo, string? nonce, ILogger logger)
        : base(server, webSocket, remoteEndPoint, localEndPoint, ConnectionKind.Leaf, solicited: remote is not null, logger)
    {
        _manager = manager;
        _options = options;
        Remote = remote;
        Url = url;
        _nonce = nonce;
        IsWebSocket = true;
        if (transportTls is not null)
        {
            UseTransportTls(transportTls);
        }
        InitSolicited(firstInfo);
    }

    private void InitSolicited(LeafInfo? firstInfo)
    {
        if (Remote is { } remote)
        {
            _isSpoke = !remote.Hub;
            _permissions = LeafPermissions.ForSpoke(null, null, remote.DenyImports, remote.DenyExports);
            if (firstInfo is not null)
            {
                AcceptFirstInfo(firstInfo);
            }
        }
    }

    /// <summary>Hub side: the router policy for everything; spoke side: local and hubbed-leaf traffic only.</summary>
    public LinkKind Kind => _isSpoke ? LeafKinds.Spoke : LinkKind.Leaf;

    /// <summary>
    /// TLS before INFO (<c>tls { handshake_first }</c>, nats-server 2.10+): an accepted leaf gets
    /// its INFO over TLS; a solicited link does TLS at once and reads the hub's INFO from its read loop.
    /// </summary>
    internal bool TlsFirst { get; init; }

    /// <summary>True when the link runs over a WebSocket (ws:// or wss://) rather than a plain socket.</summary>
    public bool IsWebSocket { get; }

    /// <summary>The remote this link solicits, or null for an accepted leaf.</summary>
    public RemoteLeafOptions? Remote { get; }

    /// <summary>The URL dialled (solicited links).</summary>
    public Uri? Url { get; }

    /// <summary>The local account the link is bound to, once known.</summary>
    public Account? Account => _account;

    /// <summary>True once the handshake completed and the link carries interest and messages.</summary>
    public bool IsRegistered => _registered;

    /// <summary>True when this server is the spoke of the link (it does not relay the hub's traffic onwards).</summary>
    public bool IsSpoke => _isSpoke;

    /// <summary>The peer's server name (or id).</summary>
    public string? RemoteServerName { get; private set; }

    /// <summary>The peer's cluster name, if any.</summary>
    public string? RemoteCluster { get; private set; }

    /// <summary>The account name the hub bound us to (from its second INFO), or the user the leaf authenticated as.</summary>
    public string? RemoteAccountOrUser { get; private set; }

    /// <summary>Whether the peer accepts HMSG.</summary>
    internal bool HeadersEnabled { get; private set; }

    /// <summary>Interest announced to the peer (for /leafz).</summary>
    internal LeafInterestMap Announced => _interest;

    /// <inheritdoc />
    protected override string? PeerName => RemoteServerName;

    /// <summary>Queues an INFO line (the hub's asynchronous INFO with updated URLs); any thread.</summary>
    internal void SendInfo(byte[] line) => Send(line);

    /// <summary>Tells the peer it loops, closes, and (when soliciting) delays the next attempt.</summary>
    internal void CloseForLoop(bool sendError)
    {
        var text = $"Loop detected for leafnode account=\"{_account?.Name}\". Delaying attempt to reconnect for 30s";
        LeafLog.Refused(Logger, this, text);
        if (DidSolicit)
        {
            RetryDelay = LeafManager.LoopDelay;
        }
        Close(ClosedReason.ProtocolViolation, sendError ? text : null);
    }

    /// <summary>How long the solicitor waits before the next attempt (set from the peer's error; null: the reconnect interval).</summary>
    internal TimeSpan? RetryDelay { get; set; }

    /// <inheritdoc />
    protected override void OnLinkClosed(ClosedReason reason)
    {
        var wasRegistered = _registered;
        _registered = false;
        _manager.OnClosed(this, wasRegistered, reason);
        // Off the closing thread: a link closed while it held its interest map's lock (a slow
        // consumer detected mid-announcement) must not wait on other links' locks from there.
        _ = Task.Run(RemoveAllRemoteInterest);
    }
}
