using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Monitoring;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Core.Protocol;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>A URL clients on this machine can use.</summary>
    public string ClientUrl => $"nats://{(IsAnyAddress(_options.Host) ? "127.0.0.1" : _options.Host)}:{Port}";

    /// <summary>Recently closed client connections (newest last), for <c>/connz?state=closed</c>.</summary>
    public IReadOnlyList<ClosedConnectionInfo> ClosedClients => _closed.Snapshot();

    internal ulong NextConnectionId() => (ulong)Interlocked.Increment(ref _nextClientId);

    private void StartClientListener(ServerOptions options)
    {
        // Bound first, accepting only once INFO (which names the bound port) is built: a client
        // that connects while the server starts waits in the backlog for its INFO.
        _clientListener = ConnectionListener.Bind("client", new HostPort(options.Host, options.Port), Logger, AcceptClientAsync, _shutdown.Token);
        Port = _clientListener.Port;
        lock (_infoLock)
        {
            _info = WithClientTlsFlags(BuildInfo(options));
        }
        _clientListener.StartAccepting();
        Logging.ServerLog.ListeningForClients(Logger, HostPort.Join(options.Host, Port));
    }

    private void StopClientListener()
    {
        _clientListener?.Stop();
    }

    /// <summary>
    /// Runs the kernel's client protocol over <paramref name="stream"/>, a transport a plugin
    /// accepted (a WebSocket, a pipe): INFO, CONNECT and authentication, subscriptions,
    /// delivery, keep-alive and limits exactly as on the client port. <c>max_connections</c>
    /// and lame duck apply; the client is listed in <c>/connz</c> with its kind. Completes when
    /// the connection has ended; the stream is disposed then.
    /// </summary>
    /// <param name="stream">A duplex stream: reads return what the client sent, writes go to it.</param>
    /// <param name="remote">The client's address, for INFO <c>client_ip</c>, logs and /connz.</param>
    /// <param name="kind">The kind the client shows as (a plugin's registered kind).</param>
    /// <param name="options">The listener's TLS set, no_auth_user, authorization, log prefix.</param>
    /// <example>
    /// <code>
    /// await server.ServeClientAsync(webSocketStream, remoteEndPoint, WebSocketKind,
    ///     new ClientListenerOptions { NoAuthUser = "guest", LogPrefix = "ws" });
    /// </code>
    /// </example>
    public Task ServeClientAsync(Stream stream, IPEndPoint? remote, ConnectionKind kind, ClientListenerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(kind);
        var connection = new ClientConnection(this, stream, remote, NextConnectionId(), kind, options ?? ClientListenerOptions.Plain);
        return RunClientAsync(connection, stream.Dispose);
    }

    /// <summary>
    /// Opens a client a plugin runs itself, without a stream: a protocol adapter (MQTT, say)
    /// that reads its own protocol from the network stands for each of its clients with one, so
    /// the server's users, accounts, permissions, limits, events and <c>/connz</c> (with
    /// <paramref name="kind"/>) apply. It is logged in with
    /// <see cref="ClientConnection.ConnectFromPluginAsync"/>, subscribes with
    /// <see cref="ClientConnection.SubscribeFromPlugin"/>, publishes with
    /// <see cref="ClientConnection.PublishFromPlugin(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    /// and is closed with <see cref="NatsConnection.Close"/>; its deliveries, errors and close
    /// go to <paramref name="host"/>. No read loop, writer task or outbound buffer runs for it,
    /// no INFO or PING is sent, and the kernel's auth timer does not apply (the plugin owns the
    /// login deadline of its protocol).
    /// </summary>
    /// <param name="host">Takes the client's deliveries, errors and close.</param>
    /// <param name="remote">The client's address, for logs and <c>/connz</c>.</param>
    /// <param name="kind">The kind the client shows as.</param>
    /// <param name="options">The listener's authorization, no_auth_user, TLS below the plugin (<see cref="ClientListenerOptions.TransportTls"/>), log prefix.</param>
    /// <returns>The client. When the server does not take it (shutting down, lame duck,
    /// max_connections) it is returned closed, and its CONNECT answers with the reason.</returns>
    /// <example>
    /// <code>
    /// var client = server.OpenPluginClient(session, remoteEndPoint, myKind, listenerOptions);
    /// if (await client.ConnectFromPluginAsync(connectJson) is { } error) { /* refuse the login */ }
    /// </code>
    /// </example>
    public ClientConnection OpenPluginClient(IPluginClientHost host, IPEndPoint? remote, ConnectionKind kind, ClientListenerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(kind);
        var connection = new ClientConnection(this, host, remote, NextConnectionId(), kind, options ?? ClientListenerOptions.Plain);
        Statistics.CountConnection();
        if (!IsRunning || _lameDuck)
        {
            connection.Close(ClosedReason.ServerShutdown);
            return connection;
        }
        var max = _options.MaxConnections;
        if (max < 0 || (max > 0 && _clients.Count >= max))
        {
            if (LogLimits.MaxConnections.Allow(ClientLogger, LogLevel.Error))
            {
                Logging.ConnectionLog.MaxConnectionsExceeded(ClientLogger, connection);
            }
            connection.Close(ClosedReason.MaxConnectionsExceeded, ProtocolErrors.MaxConnections);
            return connection;
        }
        _clients[connection.Id] = connection;
        Logging.ConnectionLog.ClientCreated(ClientLogger, connection);
        return connection;
    }

    private Task AcceptClientAsync(Socket socket)
    {
        var connection = new ClientConnection(this, socket, new NetworkStream(socket, ownsSocket: false), NextConnectionId(), ConnectionKind.Client, ClientListenerOptions.ClientPort);
        return RunClientAsync(connection, socket.Dispose);
    }

    /// <summary>One admission for every client, whatever carried it: running, lame duck, max_connections.</summary>
    private async Task RunClientAsync(ClientConnection connection, Action dropTransport)
    {
        Statistics.CountConnection();
        if (!IsRunning || _lameDuck)
        {
            dropTransport();
            return;
        }
        var max = _options.MaxConnections;
        if (max < 0 || (max > 0 && _clients.Count >= max))
        {
            if (LogLimits.MaxConnections.Allow(ClientLogger, LogLevel.Error))
            {
                Logging.ConnectionLog.MaxConnectionsExceeded(ClientLogger, connection);
            }
            await connection.RejectAsync(ProtocolErrors.MaxConnections, ClosedReason.MaxConnectionsExceeded).ConfigureAwait(false);
            return;
        }
        _clients[connection.Id] = connection;
        Logging.ConnectionLog.ClientCreated(ClientLogger, connection);
        await connection.RunAsync().ConfigureAwait(false);
    }

    internal void OnConnectionClosed(ClientConnection connection)
    {
        bool removed;
        // Under the lock monitoring sums live and closed totals with, so no reader sees a
        // connection's deliveries twice or not at all (counters must never go backwards).
        lock (ConnectionTotalsLock)
        {
            removed = _clients.TryRemove(connection.Id, out _);
            if (removed)
            {
                Statistics.OnConnectionClosed(connection);
                // Live connections count their own deliveries; the account keeps those of closed ones.
                connection.Account.CountOut(connection.OutMessages, connection.OutBytes);
            }
        }
        if (removed)
        {
            _closed.Add(ClosedConnectionInfo.From(connection));
        }
    }

    /// <summary>
    /// Reserves a reply-subject prefix for the server's own use (JetStream's <c>$JS.ACK.</c>,
    /// gateways' <c>_GR_.</c>): clients publishing with a reply that starts with it (and goes
    /// on after it) get nats-server's <c>Permissions Violation for Publish with Reply of</c>.
    /// The owner reserves it when it configures; the kernel reserves <c>_R_.</c> itself.
    /// </summary>
    /// <example><code>context.Server.ReserveReplyPrefix("$JS.ACK.");</code></example>
    public void ReserveReplyPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        lock (_clients)
        {
            if (_reservedReplies.Any(r => r.AsSpan().SequenceEqual(bytes)))
            {
                return;
            }
            _reservedReplies = [.. _reservedReplies, bytes];
        }
    }

    /// <summary>
    /// Reserves a subject prefix for the server's own traffic (gateways' <c>_GR_.</c> routed
    /// replies): a client publishing to a subject that starts with it (and goes on after it) gets
    /// nats-server's <c>Permissions Violation for Publish to "…"</c>, checked before its
    /// permissions, and the message goes nowhere. Links (routes, gateways, leafs) are not checked.
    /// </summary>
    /// <example><code>context.Server.ReservePublishPrefix("_GR_.");</code></example>
    public void ReservePublishPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        lock (_clients)
        {
            if (_reservedSubjects.Any(r => r.AsSpan().SequenceEqual(bytes)))
            {
                return;
            }
            _reservedSubjects = [.. _reservedSubjects, bytes];
        }
    }

    /// <summary>True when <paramref name="subject"/> extends a prefix reserved by <see cref="ReservePublishPrefix"/>.</summary>
    internal bool IsReservedSubject(ReadOnlySpan<byte> subject)
    {
        foreach (var prefix in _reservedSubjects)
        {
            if (subject.Length > prefix.Length && subject.StartsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="reply"/> extends a reserved prefix.</summary>
    internal bool IsReservedReply(ReadOnlySpan<byte> reply)
    {
        foreach (var prefix in _reservedReplies)
        {
            if (reply.Length > prefix.Length && reply.StartsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsAnyAddress(string host) => HostPort.IsAnyHost(host);
}
