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
    private Socket? _clientListener;
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
        var endpoint = new IPEndPoint(ParseHost(options.Host), options.Port < 0 ? 0 : options.Port);
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            listener.DualMode = true;
        }
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            listener.Bind(endpoint);
            listener.Listen(4096);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new ConfigurationException($"could not listen for client connections on {endpoint}: {ex.Message}", ex);
        }
        _clientListener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Logger.LogInformation("Listening for client connections on {Host}:{Port}", options.Host, Port);
        _ = AcceptLoopAsync(listener);
    }

    private void StopClientListener()
    {
        _clientListener?.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_shutdown.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors or a reset during accept: keep serving, but do not spin.
                Logger.LogError("Temporary accept error: {Message}", ex.Message);
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }
            socket.NoDelay = true;
            _ = Task.Run(() => AcceptClientAsync(socket));
        }
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

    internal static IPAddress ParseHost(string host)
    {
        if (string.IsNullOrEmpty(host) || host == "0.0.0.0")
        {
            return IPAddress.Any;
        }
        if (host is "::" or "[::]")
        {
            return IPAddress.IPv6Any;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return address;
        }
        return Dns.GetHostAddresses(host).First();
    }

    private static bool IsAnyAddress(string host) => string.IsNullOrEmpty(host) || host is "0.0.0.0" or "::" or "[::]";
}
