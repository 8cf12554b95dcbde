using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Logging;

namespace Nats.Core.Connections;

/// <summary>
/// The one accept loop of the server: the client port, the route port and every plugin
/// listener (gateway, leaf, WebSocket, MQTT…) bind through it and hand it the function that
/// creates their connection for an accepted socket.
/// </summary>
/// <remarks>
/// As nats-server's <c>acceptConnections</c>: an accept error (out of descriptors, a reset
/// during accept) does not stop the listener; it sleeps 10 ms, doubling to at most 1 s while
/// errors continue, and starts again at 10 ms after a success. The first error of a streak is
/// logged as an error, the rest at debug level, so a descriptor shortage does not flood the log.
/// A listener on all interfaces (<c>0.0.0.0</c> or <c>::</c>) is dual-mode where the machine has
/// IPv6, as Go's listeners are: clients reach it over <c>127.0.0.1</c> and <c>::1</c> alike.
/// </remarks>
/// <example>
/// <code>
/// var listener = ConnectionListener.Start("mqtt", new HostPort("0.0.0.0", 1883), logger,
///     socket => RunMqttClientAsync(socket), server.ShutdownToken);
/// // …
/// listener.Stop();
/// </code>
/// </example>
public sealed class ConnectionListener
{
    /// <summary>First sleep after an accept error (nats-server's ACCEPT_MIN_SLEEP).</summary>
    public static readonly TimeSpan MinAcceptSleep = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest sleep between accept attempts while errors continue (ACCEPT_MAX_SLEEP).</summary>
    public static readonly TimeSpan MaxAcceptSleep = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly string _name;
    private readonly ILogger _log;
    private readonly Func<Socket, Task> _createConnection;
    private readonly CancellationTokenSource _stop;

    private ConnectionListener(Socket socket, string name, ILogger log, Func<Socket, Task> createConnection, CancellationToken shutdown)
    {
        _socket = socket;
        _name = name;
        _log = log;
        _createConnection = createConnection;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The address bound (with the real port when port 0 or -1 asked for a random one).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The port bound.</summary>
    public int Port => LocalEndPoint.Port;

    /// <summary>Accept errors seen since the listener started (for tests and monitoring).</summary>
    public long AcceptErrors => Interlocked.Read(ref _acceptErrors);

    private long _acceptErrors;
    // 0 until StartAccepting (any thread, once).
    private int _accepting;

    /// <summary>
    /// Binds <paramref name="address"/> (port 0 or -1: any free port) and starts accepting.
    /// Each accepted socket (with Nagle off) is handed to <paramref name="createConnection"/> on
    /// a pool thread; the function owns the socket from then on.
    /// </summary>
    /// <param name="name">What the listener is for, in logs (<c>client</c>, <c>route</c>, <c>mqtt</c>…).</param>
    /// <param name="address">Where to listen.</param>
    /// <param name="log">Where accept errors go.</param>
    /// <param name="createConnection">Runs a connection on an accepted socket.</param>
    /// <param name="shutdown">Stops the listener when cancelled.</param>
    /// <param name="backlog">The listen backlog.</param>
    /// <exception cref="ConfigurationException">The address cannot be bound.</exception>
    public static ConnectionListener Start(string name, HostPort address, ILogger log, Func<Socket, Task> createConnection, CancellationToken shutdown, int backlog = 4096)
    {
        var listener = Bind(name, address, log, createConnection, shutdown, backlog);
        listener.StartAccepting();
        return listener;
    }

    /// <summary>
    /// Binds like <see cref="Start"/> but does not accept yet: connections wait in the backlog
    /// until <see cref="StartAccepting"/>. For a server that needs the bound port (port 0 or -1)
    /// to prepare what it tells every connection first, as the client port's INFO.
    /// </summary>
    /// <exception cref="ConfigurationException">The address cannot be bound.</exception>
    public static ConnectionListener Bind(string name, HostPort address, ILogger log, Func<Socket, Task> createConnection, CancellationToken shutdown, int backlog = 4096) =>
        new(Bind(name, address, backlog), name, log, createConnection, shutdown);

    /// <summary>Starts the accept loop of a listener made by <see cref="Bind(string, HostPort, ILogger, Func{Socket, Task}, CancellationToken, int)"/>; once only.</summary>
    public void StartAccepting()
    {
        if (Interlocked.Exchange(ref _accepting, 1) != 0)
        {
            throw new InvalidOperationException($"The {_name} listener is already accepting.");
        }
        _ = AcceptLoopAsync();
    }

    /// <summary>Stops accepting; connections already accepted are not touched.</summary>
    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }

    private static Socket Bind(string name, HostPort address, int backlog)
    {
        var port = address.Port < 0 ? 0 : address.Port;
        if (HostPort.IsAnyHost(address.Host) && Socket.OSSupportsIPv6)
        {
            try
            {
                return BindSocket(new IPEndPoint(IPAddress.IPv6Any, port), dualMode: true, backlog);
            }
            catch (SocketException)
            {
                // IPv6 present but unusable (disabled in the kernel, say): IPv4 interfaces it is.
            }
        }
        var endpoint = new IPEndPoint(HostPort.ToAddress(address.Host), port);
        try
        {
            return BindSocket(endpoint, dualMode: false, backlog);
        }
        catch (SocketException ex)
        {
            throw new ConfigurationException($"could not listen for {name} connections on {HostPort.Join(address.Host, port)}: {ex.Message}", ex);
        }
    }

    private static Socket BindSocket(IPEndPoint endpoint, bool dualMode, int backlog)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (dualMode)
            {
                socket.DualMode = true;
            }
            AllowRebindWhileClosing(socket);
            socket.Bind(endpoint);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// SO_REUSEADDR alone, as Go's listeners: a restarted server binds while its old
    /// connections linger in TIME_WAIT. Not .NET's ReuseAddress, which on Linux also sets
    /// SO_REUSEPORT and would let a second server bind the same port without an error.
    /// </summary>
    private static void AllowRebindWhileClosing(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            const int SolSocket = 1;
            const int SoReuseAddr = 2;
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        var sleep = MinAcceptSleep;
        var inErrorStreak = false;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _socket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                Interlocked.Increment(ref _acceptErrors);
                if (!inErrorStreak)
                {
                    inErrorStreak = true;
                    ConnectionLog.AcceptErrorStreakStarted(_log, _name, ex.Message, (int)sleep.TotalMilliseconds);
                }
                else
                {
                    ConnectionLog.AcceptErrorContinues(_log, _name, ex.Message, (int)sleep.TotalMilliseconds);
                }
                try
                {
                    await Task.Delay(sleep, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                sleep = sleep * 2 < MaxAcceptSleep ? sleep * 2 : MaxAcceptSleep;
                continue;
            }
            if (inErrorStreak)
            {
                inErrorStreak = false;
                sleep = MinAcceptSleep;
                ConnectionLog.AcceptingAgain(_log, _name);
            }
            socket.NoDelay = true;
            _ = Task.Run(() => RunConnectionAsync(socket));
        }
        // Closed, not only no longer accepted from: the kernel would otherwise complete new
        // connections into the backlog, where they hang (a browser's nats.ws until its connect
        // timeout) rather than be refused and try the next server. This is how the server's
        // shutdown closes every listener at its first step (its token), as nats-server does,
        // before the plugins that own them stop.
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task RunConnectionAsync(Socket socket)
    {
        try
        {
            await _createConnection(socket).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ConnectionLog.AcceptedSocketFailed(_log, ex, _name, socket.RemoteEndPoint);
            socket.Dispose();
        }
    }
}
