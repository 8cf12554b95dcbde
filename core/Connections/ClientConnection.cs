using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Core.Protocol;
using Nats.Core.Subjects;

namespace Nats.Core.Connections;

/// <summary>
/// One client connection: executes the client protocol, and receives the messages that
/// match its subscriptions. Deliveries from publishers on other connections land in its
/// outbound buffer on their threads.
/// </summary>
/// <remarks>All its state is declared in this file, each field with the thread that writes
/// it; the code is split by concern: parsing (.Reading.cs), operations (.Operations.cs),
/// CONNECT and auth (.Connect.cs), delivery (.Delivery.cs), timers (.Timers.cs),
/// INFO, PING and the first PONG (.Info.cs), the TLS sequence (.Tls.cs), allow_responses
/// (.Responses.cs), RTT for /connz (.Monitoring.cs).</remarks>
public sealed partial class ClientConnection : NatsConnection, IMessageSink
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    // The connection's state, all of it, with the thread that writes each. "Read loop" is the
    // task running RunAsync (negotiation, then every command the client sends); "publishers"
    // are the threads of other connections delivering to this one; "heartbeat" is the server's
    // timer thread; "reload" is the thread applying a configuration reload.

    // sid → subscription, under its own lock: added by the read loop (SUB, with the sublist
    // insert and the announcement, so a racing close collects it), removed by the read loop
    // (UNSUB), publishers (an auto-unsubscribe limit reached), reload (permissions revoked)
    // and the closing thread (all at once).
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);

    // The user's and account's limits: written at CONNECT (read loop) and when the account is
    // updated (the updating thread); read by the read loop. Replaced whole.
    private volatile ConnectionLimits _limits = ConnectionLimits.None;

    // The grant in force, its permissions, expiry and publish cache (see ClientAuthorization):
    // replaced whole by the read loop (CONNECT) and reload (reauthorization); read by the read
    // loop, publishers (delivery filter, allow_responses), the heartbeat (expiry) and
    // reauthorization (the grant, as ConnectContext.Current).
    private volatile ClientAuthorization _authorization = ClientAuthorization.None;

    // Whether deliveries must be checked against subscribe permissions (a deny narrower than a
    // wildcard subscription): set by the read loop (SUB) and reload; read by publishers.
    private volatile bool _deliveryFilterEnabled;

    // allow_responses: reply subjects of requests this client received, with how many
    // responses remain and until when, under the table's own lock: created by the first
    // publisher to add one (EnsureInitialized), consumed by the read loop, pruned when it grows.
    // Only users with that permission pay for this, and only once they received a request.
    private ResponsePermissionTable? _replies;

    // The account's sublist match cache: the read loop's only, created by its first PUB and
    // again by the first after CONNECT binds another account (a client that only subscribes,
    // as an MQTT session's kernel client, never has one).
    private SublistMatchCache? _matchCache;

    // -V with subject mappings: the traced payload of the PUB being executed, held back so the
    // MAPPING line comes before it as in nats-server's parser. The read loop's only.
    private string? _deferredPayloadTrace;

    // Set once by the read loop when CONNECT is accepted; read by the heartbeat (auth timeout,
    // first PING), reload (reauthorization) and INFO updates from any thread.
    private volatile bool _connectReceived;

    // Whether the connection counts against its account: written by the read loop (CONNECT
    // binding an account) under _subscriptions' lock, read under it by the closing thread.
    private bool _accountBound;

    // Headers negotiated in CONNECT: written by the read loop; read by publishers (HMSG or MSG).
    private bool _headersEnabled;

    // The nonce sent in INFO: written once by the read loop before INFO goes out, then read-only.
    private string? _nonce;

    // When an unauthenticated connection is closed (Stopwatch ticks; 0 for never): written by
    // the read loop when it starts, read by the heartbeat.
    private long _authDeadline;

    // 1 once the PONG answering the first PING after CONNECT went out (Interlocked): the read
    // loop sets it, INFO updates from any thread wait for it.
    private int _firstPongSent;

    // The connection as the log shows it, built on first use and again after CONNECT (any thread).
    private string? _logName;

    // Where deliveries go instead of the stream when a plugin speaks the client's own protocol
    // (MQTT): set once by that plugin after CONNECT, before its first SUB; read by publishers.
    private volatile IClientDeliveryTarget? _deliveryTarget;

    // The match cache and flush batch of the publishes such a plugin makes for the client
    // (PublishFromPlugin): the plugin's publishing thread's, one call at a time, apart from the
    // read loop's (which still runs the client's SUBs, UNSUBs and PINGs).
    private SublistMatchCache? _pluginMatchCache;
    private FlushBatch? _pluginBatch;

    internal ClientConnection(NatsServer server, Socket socket, Stream stream, ulong id, ConnectionKind kind, ClientListenerOptions listener)
        : base(server, socket, stream, id)
    {
        Kind = kind;
        Listener = listener;
        Account = server.Accounts.Global;
        // As nats-server's client read loops (routes' do not): write to idle subscribers at the
        // end of each read instead of waking their writer tasks.
        Batch.FlushesInPlace = true;
    }

    /// <summary>A client over a stream a plugin handed in (<see cref="NatsServer.ServeClientAsync"/>).</summary>
    internal ClientConnection(NatsServer server, Stream stream, System.Net.IPEndPoint? remote, ulong id, ConnectionKind kind, ClientListenerOptions listener)
        : base(server, null, stream, remote, null, id)
    {
        Kind = kind;
        Listener = listener;
        // TLS the plugin ran below the stream (wss://) shows in /connz as the kernel's own would.
        Tls = listener.TransportTls;
        Account = server.Accounts.Global;
        Batch.FlushesInPlace = true;
    }

    /// <summary>A client a plugin runs without a stream (<see cref="NatsServer.OpenPluginClient"/>).</summary>
    internal ClientConnection(NatsServer server, IPluginClientHost host, System.Net.IPEndPoint? remote, ulong id, ConnectionKind kind, ClientListenerOptions listener)
        : base(server, remote, id)
    {
        Kind = kind;
        Listener = listener;
        Tls = listener.TransportTls;
        Account = server.Accounts.Global;
        _pluginHost = host;
        _deliveryTarget = host;
    }

    /// <summary>What kind of connection this is.</summary>
    public ConnectionKind Kind { get; }

    /// <summary>The options of the listener that accepted the connection.</summary>
    public ClientListenerOptions Listener { get; }

    /// <summary>The authorization this client is checked against: its listener's, else the server's.</summary>
    private Security.AuthService Auth => Listener.Auth ?? Server.Auth;

    /// <summary>True when a client without credentials becomes a configured user.</summary>
    private bool HasNoAuthUser => Listener.NoAuthUser is not null || Auth.HasNoAuthUser;

    /// <summary>The CONNECT options in force (nats-server's defaults until CONNECT arrives).</summary>
    public ConnectOptions Options { get; private set; } = ConnectOptions.Default;

    /// <summary>The account the connection is bound to.</summary>
    public Account Account { get; private set; }

    /// <summary>The authenticated user's label, if any.</summary>
    public string? User { get; private set; }

    /// <summary>
    /// The permissions in force (null: everything allowed). For plugins that deliver to the
    /// client by another path than its subscriptions (MQTT's JetStream deliveries), so they apply
    /// the same deny rules as the kernel's delivery does.
    /// </summary>
    public Accounts.ClientPermissions? Permissions => _authorization.Permissions;

    /// <summary>The authenticator's grant in force (permissions as granted, expiry); null before CONNECT.</summary>
    internal AuthResult? Grant => _authorization.Grant;

    /// <summary>The subscriptions held when the connection closed (for closed-connection monitoring); set by the closing thread.</summary>
    internal Subscription[] ClosedSubscriptions { get; private set; } = [];

    /// <summary>Number of subscriptions.</summary>
    public int SubscriptionCount
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>A snapshot of the subscriptions.</summary>
    public Subscription[] GetSubscriptions()
    {
        lock (_subscriptions)
        {
            return [.. _subscriptions.Values];
        }
    }

    private protected override ILogger Log => Server.ClientLogger;

    /// <inheritdoc />
    protected override string? LogPrefix => Listener.LogPrefix;

    /// <summary>
    /// The connection as nats-server's log shows it: <c>127.0.0.1:52345 - cid:5</c>, and once
    /// CONNECT named them, the client's version, language and name: <c> - "v1.2.3:go:orders"</c>.
    /// </summary>
    public override string ToString() => _logName ??= Describe();

    private string Describe()
    {
        var text = base.ToString();
        var options = Options;
        if (string.IsNullOrEmpty(options.Lang) && string.IsNullOrEmpty(options.Version) && string.IsNullOrEmpty(options.Name))
        {
            return text;
        }
        var client = string.IsNullOrEmpty(options.Name)
            ? $"v{options.Version}:{options.Lang}"
            : $"v{options.Version}:{options.Lang}:{options.Name}";
        return $"{text} - \"{client}\"";
    }

    private protected override bool WaitsForSlowConsumers => true;

    /// <summary>Applies a reloaded max_pending.</summary>
    internal void SetMaxPending(long maxPending) => Out.MaxPending = maxPending;

    private protected override void OnStarted() => ArmTimers();

    private protected override void OnClosed(ClosedReason reason)
    {
        RemoveAllSubscriptions();
        bool bound;
        // See BindAccount: the binding is released exactly once, whatever CONNECT is doing.
        lock (_subscriptions)
        {
            bound = _accountBound;
        }
        if (bound)
        {
            Account.RemoveConnection();
        }
        // Clients of every transport (plain, WebSocket, MQTT) are CLIENT kind to nats-server's events.
        if (bound && Kind.IsClient)
        {
            Server.OnClientDisconnected(this);
        }
        Logging.ConnectionLog.ClientClosed(Log, this, reason.ToDisplayString());
        Server.OnConnectionClosed(this);
        Server.Events.RaiseClientClosed(this);
        _pluginHost?.OnClosed(reason, _closeError);
    }

    private protected override void OnClosing(ClosedReason reason, string? error)
    {
        if (_pluginHost is null)
        {
            base.OnClosing(reason, error);
            return;
        }
        _closeError = error;
    }

    /// <inheritdoc />
    protected internal override void SendError(string text)
    {
        if (_pluginHost is { } host)
        {
            // No stream to carry it: the plugin hears it (and answers in its own protocol).
            host.OnError(text);
            return;
        }
        base.SendError(text);
    }
}
