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
    private const int MaxClosedConnections = 10_000;

    private readonly ClosedConnectionLog _closed = new(MaxClosedConnections);
    private ConnectionListener? _clientListener;
    private long _nextClientId;

    /// <summary>The client port actually bound (useful with port -1 / random).</summary>
    public int Port { get; private set; }

    /// <summary>A URL clients on this machine can use.</summary>
    public string ClientUrl => $"nats://{(IsAnyAddress(_options.Host) ? "127.0.0.1" : _options.Host)}:{Port}";

    /// <summary>Recently closed client connections (newest last), for <c>/connz?state=closed</c>.</summary>
    public IReadOnlyList<ClosedConnectionInfo> ClosedClients => _closed.Snapshot();

    internal ulong NextConnectionId() => (ulong)Interlocked.Increment(ref _nextClientId);

    private void StartClientListener(ServerOptions options)
    {
        _clientListener = ConnectionListener.Start("client", new HostPort(options.Host, options.Port), Logger, AcceptClientAsync, _shutdown.Token);
        Port = _clientListener.Port;
        Logger.LogInformation("Listening for client connections on {Address}", HostPort.Join(options.Host, Port));
    }

    private void StopClientListener()
    {
        _clientListener?.Stop();
    }

    private async Task AcceptClientAsync(Socket socket)
    {
        var connection = new ClientConnection(this, socket, new NetworkStream(socket, ownsSocket: false), NextConnectionId(), ConnectionKind.Client);
        Statistics.CountConnection();
        if (!IsRunning || _lameDuck)
        {
            socket.Dispose();
            return;
        }
        var max = _options.MaxConnections;
        if (max < 0 || (max > 0 && _clients.Count >= max))
        {
            await connection.RejectAsync(ProtocolErrors.MaxConnections, ClosedReason.MaxConnectionsExceeded).ConfigureAwait(false);
            return;
        }
        _clients[connection.Id] = connection;
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

    private static bool IsAnyAddress(string host) => HostPort.IsAnyHost(host);
}
