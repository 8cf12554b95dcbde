using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core.Plugins;

namespace Nats.Core.Connections;

/// <summary>
/// The base of a server-to-server link (route, gateway, leaf node, or a plugin's own) that
/// speaks a line protocol over a dialled or accepted socket or stream. The kernel runs the
/// read loop over pooled buffers and hands the bytes to <see cref="Parse"/>; the subclass
/// answers with <see cref="NatsConnection.Send"/> and <see cref="SendMessage"/>, which go
/// through the coalescing outbound buffer (flushed once per read batch). Keep-alive PINGs,
/// the stale and write-deadline checks, TLS and closing are done here.
/// </summary>
/// <remarks>
/// <para>Life: construct, then <see cref="RunAsync"/>: <see cref="HandshakeAsync"/> (TLS with
/// <see cref="UpgradeToTlsAsync(string, string?)"/>, the first INFO/CONNECT with Send), then
/// <see cref="OnLinkStarted"/>, then the read loop until the peer or <see cref="NatsConnection.Close"/>
/// ends it, then <see cref="OnLinkClosed"/> once. While it runs the link is listed in
/// <see cref="NatsServer.Links"/> and the server heartbeat drives its timers.</para>
/// <para>Threads: <see cref="Parse"/> and <see cref="HandshakeAsync"/> run on the read loop,
/// <see cref="OnLinkHeartbeat"/> on the heartbeat timer, <see cref="SendMessage"/> on any
/// thread that routes a message; <see cref="OnLinkClosed"/> on whichever thread closed.</para>
/// Split by concern: sending and keep-alive (.Protocol.cs), the protocol trace (.Trace.cs).
/// </remarks>
public abstract partial class LinkConnection : NatsConnection
{
    // Immutable after construction.
    private readonly ILogger _logger;

    /// <summary>A link over a socket this server dialled (<paramref name="solicited"/>) or accepted.</summary>
    /// <param name="server">The server the link belongs to.</param>
    /// <param name="socket">The connected socket; the link owns it from here on.</param>
    /// <param name="kind">What the link is (for logs and monitoring), e.g. <see cref="ConnectionKind.Gateway"/>.</param>
    /// <param name="solicited">True when this server dialled the peer.</param>
    /// <param name="logger">Where the link logs.</param>
    protected LinkConnection(NatsServer server, Socket socket, ConnectionKind kind, bool solicited, ILogger logger)
        : base(server, socket, new NetworkStream(socket, ownsSocket: false), server.NextConnectionId())
    {
        ConnectionKind = kind;
        DidSolicit = solicited;
        _logger = logger;
    }

    /// <summary>A link over a stream the plugin opened (a WebSocket, a pipe): closing disposes the stream.</summary>
    /// <param name="server">The server the link belongs to.</param>
    /// <param name="stream">The duplex stream; the link owns it from here on.</param>
    /// <param name="remote">The peer's address, if known.</param>
    /// <param name="local">Our address, if known.</param>
    /// <param name="kind">What the link is, for logs and monitoring.</param>
    /// <param name="solicited">True when this server dialled the peer.</param>
    /// <param name="logger">Where the link logs.</param>
    protected LinkConnection(NatsServer server, Stream stream, IPEndPoint? remote, IPEndPoint? local, ConnectionKind kind, bool solicited, ILogger logger)
        : base(server, socket: null, stream, remote, local, server.NextConnectionId())
    {
        ConnectionKind = kind;
        DidSolicit = solicited;
        _logger = logger;
    }

    /// <summary>What the link is (<see cref="ConnectionKind.Route"/>, <see cref="ConnectionKind.Gateway"/>, …).</summary>
    public ConnectionKind ConnectionKind { get; }

    /// <summary>True when this server dialled the peer, false when it accepted the connection.</summary>
    public bool DidSolicit { get; }

    /// <summary>Messages queued for the peer with <see cref="SendMessage"/>.</summary>
    public long OutMessages => Out.MessagesQueued;

    /// <summary>Payload bytes (headers included) queued for the peer with <see cref="SendMessage"/>.</summary>
    public long OutBytes => Out.PayloadBytesQueued;

    /// <summary>
    /// Records TLS a transport ran underneath the link's stream (a wss:// WebSocket), so the
    /// link shows it as its own <see cref="NatsConnection.Tls"/> (monitoring, certificate
    /// checks). Call from the constructor or <see cref="HandshakeAsync"/>, before the link registers.
    /// </summary>
    protected void UseTransportTls(TlsConnectionInfo tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        Tls = tls;
    }

    /// <summary>Where the link logs (the logger given at construction).</summary>
    protected ILogger Logger => _logger;

    private protected sealed override ILogger Log => _logger;

    /// <summary>
    /// Runs the link to its end: the handshake, then the read loop. Returns once the link is
    /// closed (by the peer, an error, or <see cref="NatsConnection.Close"/>); never throws for
    /// I/O errors, which close the link with <see cref="ClosedReason.ReadError"/>.
    /// </summary>
    public new async Task RunAsync()
    {
        Server.AddLink(this);
        try
        {
            await base.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            Server.RemoveLink(this);
        }
    }

    /// <summary>
    /// The first exchange, on the read loop before any read: a TLS upgrade, the first INFO
    /// or CONNECT queued with Send (the writer starts right after). Return false to end the
    /// link (close it first, with the reason).
    /// </summary>
    protected abstract ValueTask<bool> HandshakeAsync();

    /// <summary>
    /// Parses and executes every complete operation in <paramref name="data"/> and returns
    /// the bytes consumed; the rest stays at the front of the buffer for the next read. Runs
    /// on the read loop inside a flush batch: output queued from here (to this peer or to
    /// local subscribers) goes out once the batch ends. Must not allocate per message.
    /// </summary>
    /// <param name="data">Unconsumed bytes received from the peer.</param>
    /// <param name="needed">When an operation is incomplete: its full size if known (a message
    /// whose header line was read), so the buffer grows to hold it; 0 otherwise.</param>
    protected abstract int Parse(Span<byte> data, out int needed);

    /// <summary>
    /// Holds up parsing until <paramref name="operation"/> completes, for the rare operation
    /// that must wait (an authenticator, an account resolver): <see cref="Parse"/> returns right
    /// after the operation that called this (<see cref="IsParsingPaused"/>), the read loop awaits
    /// it, and the bytes after it are parsed once it completed. Never block on a wait in
    /// <see cref="Parse"/>: the read loop may run on one of the few threads that complete every
    /// connection's socket operations, and blocking there stalls other connections too.
    /// </summary>
    /// <param name="operation">What the next operation waits for; output it queues goes out at once.</param>
    protected void PauseParsingUntil(ValueTask operation) => WaitBeforeNextOperation(operation);

    /// <summary>True once <see cref="PauseParsingUntil"/> was called: <see cref="Parse"/> must return now.</summary>
    protected bool IsParsingPaused => HasPendingOperation;

    /// <summary>Called once the writer runs, before the first read (log, arm the link's own timers).</summary>
    protected virtual void OnLinkStarted()
    {
    }

    /// <summary>Called once when the link closes, on the closing thread: withdraw its interest, unregister, reconnect.</summary>
    protected abstract void OnLinkClosed(ClosedReason reason);

    /// <summary>
    /// Called on every server heartbeat (Stopwatch timestamp <paramref name="now"/>) before the
    /// keep-alive PING is considered: check the link's own deadlines here (an auth timeout).
    /// </summary>
    protected virtual void OnLinkHeartbeat(long now)
    {
    }

    private protected sealed override ValueTask<bool> NegotiateAsync() => HandshakeAsync();

    private protected sealed override void OnStarted()
    {
        ArmPingTimer(PingInterval);
        OnLinkStarted();
    }

    private protected sealed override void OnClosed(ClosedReason reason) => OnLinkClosed(reason);

    private protected sealed override int ProcessBuffer(Span<byte> data, out int needed)
    {
        Batch.Begin();
        try
        {
            return Parse(data, out needed);
        }
        finally
        {
            Batch.End();
        }
    }

    internal sealed override void OnHeartbeat(long now)
    {
        CheckStuckWrite(now, Server.Options.WriteDeadline);
        if (IsClosed)
        {
            return;
        }
        OnLinkHeartbeat(now);
        if (IsClosed)
        {
            return;
        }
        KeepAlive(now, PingInterval, MaxPingsOut, skipWhenActive: false);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = $"{RemoteEndPoint} - {IdPrefix}:{Id}";
        if (LogPrefix is { } prefix)
        {
            text = prefix + " - " + text;
        }
        return PeerName is { } name ? $"{text} - \"{name}\"" : text;
    }

    /// <summary>The id's label in logs, as nats-server prints it: <c>rid</c> for routes, <c>gid</c> for gateways, <c>lid</c> for leafs.</summary>
    protected virtual string IdPrefix => "lid";

    /// <summary>The peer's name once known (server or cluster name), shown after the id in logs.</summary>
    protected virtual string? PeerName => null;
}
