using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Leafnode.Config;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

public sealed partial class LeafManager
{
    /// <summary>How long a soliciting leaf waits for the hub's first INFO (nats-server's DEFAULT_LEAFNODE_INFO_WAIT).</summary>
    private static readonly TimeSpan InfoWait = TimeSpan.FromSeconds(1);

    /// <summary>How long a dial may take (nats-server's DEFAULT_ROUTE_DIAL).</summary>
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The longest first INFO accepted from a hub.</summary>
    private const int MaxInfoLine = 64 * 1024;

    // Set by Start and Stop (plugin lifecycle thread).
    private ConnectionListener? _listener;
    private CancellationTokenSource? _stopping;

    // The running solicit loop of each remote, by its Identity (a reload keeps the loop and link
    // of a remote that is unchanged but for its certificates). Guarded by itself; Start, Stop and reloads change it.
    private readonly Dictionary<RemoteLeafOptions, RemoteRun> _runs = [];

    // Each remote's TLS set name in the server's store, by its Identity (stable across reloads
    // that change its certificates). Written by the constructor and reloads; dials read it.
    private readonly ConcurrentDictionary<RemoteLeafOptions, string> _remoteTlsSets = new();
    private int _tlsSetCounter;

    private sealed record RemoteRun(CancellationTokenSource Cancel, Task Loop);

    // URLs the hubs gossiped, by remote: the solicit loops read them, the read loops write them.
    private readonly ConcurrentDictionary<RemoteLeafOptions, string[]> _learnedUrls = new(ReferenceEqualityComparer.Instance);

    /// <summary>The port the leaf listener bound (0 when not listening).</summary>
    public int Port => _listener?.Port ?? 0;

    private string AdvertisedHost
    {
        get
        {
            if (_options.Advertise.Length > 0)
            {
                return HostPort.Parse(_options.Advertise, Port).Host;
            }
            return HostPort.IsAnyHost(_options.Host) ? "127.0.0.1" : _options.Host;
        }
    }

    private int AdvertisedPort => _options.Advertise.Length > 0 ? HostPort.Parse(_options.Advertise, Port).Port : Port;

    /// <summary>The TLS set of a remote with a <c>tls</c> block, or null.</summary>
    internal string? RemoteTlsSet(RemoteLeafOptions remote) => _remoteTlsSets.GetValueOrDefault(remote.Identity);

    /// <summary>
    /// Loads a remote's certificates into the server's TLS store (a bad one throws
    /// ConfigException), or replaces them when a reload changed only its <c>tls</c> block: the
    /// link stays, the next dial uses them.
    /// </summary>
    private void InstallRemoteTls(RemoteLeafOptions remote)
    {
        if (remote.Tls is not { } tls)
        {
            return;
        }
        if (_remoteTlsSets.TryGetValue(remote.Identity, out var name))
        {
            if (!Equals(_context.Tls.Get(name), tls))
            {
                _context.Tls.Set(name, tls);
                LeafLog.RemoteTlsReloaded(_logger, remote.SafeName);
            }
            return;
        }
        name = "leafnode-remote-" + Interlocked.Increment(ref _tlsSetCounter);
        _context.Tls.Set(name, tls);
        _remoteTlsSets[remote.Identity] = name;
    }

    /// <summary>Drops the TLS sets of remotes a reload removed (their watches stop with them).</summary>
    private void RemoveRemoteTls(IEnumerable<RemoteLeafOptions> remaining)
    {
        var kept = remaining.Select(r => r.Identity).ToHashSet();
        foreach (var (identity, name) in _remoteTlsSets)
        {
            if (!kept.Contains(identity) && _remoteTlsSets.TryRemove(identity, out _))
            {
                _context.Tls.Set(name, null);
            }
        }
    }

    /// <summary>Opens the listener (when a port is configured) and starts soliciting every enabled remote.</summary>
    public void Start()
    {
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(_server.ShutdownToken);
        if (_options.IsListening)
        {
            var port = _options.Port < 0 ? 0 : _options.Port;
            _listener = ConnectionListener.Start("leafnode", new HostPort(_options.Host, port), _logger, AcceptAsync, _stopping.Token);
            LeafLog.Listening(_logger, HostPort.Join(_options.Host, _listener.Port));
            // Listed in the ports file with the kernel's listeners.
            _context.AddListenerAddress(new ListenerAddress("leafnode", _options.Tls is null ? "nats" : "tls", _options.Host, _listener.Port));
            // Leafs may also come over the websocket port (path /leafnode), as nats-server
            // accepts them there only when it has a leafnode port.
            _webSocketLeafs = _server.RegisterStreamAcceptor(ConnectionKind.Leaf, AcceptWebSocketAsync);
            StartUrlGossip();
        }
        foreach (var remote in _options.Remotes)
        {
            StartRemote(remote);
        }
    }

    /// <summary>Starts soliciting <paramref name="remote"/> unless it is disabled or already running.</summary>
    private void StartRemote(RemoteLeafOptions remote)
    {
        if (remote.Disabled)
        {
            LeafLog.RemoteDisabled(_logger, remote.SafeName);
            return;
        }
        lock (_runs)
        {
            if (_runs.ContainsKey(remote.Identity) || _stopping is null || _stopping.IsCancellationRequested)
            {
                return;
            }
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            _runs[remote.Identity] = new RemoteRun(cancel, Task.Run(() => SolicitAsync(remote, cancel.Token)));
        }
    }

    /// <summary>Stops soliciting <paramref name="remote"/> and closes its link.</summary>
    private Task StopRemote(RemoteLeafOptions remote)
    {
        RemoteRun? run;
        lock (_runs)
        {
            if (!_runs.Remove(remote.Identity, out run))
            {
                return Task.CompletedTask;
            }
        }
        run.Cancel.Cancel();
        foreach (var connection in _connections.Values)
        {
            if (connection.Remote is { } r && r.Identity.Equals(remote.Identity))
            {
                connection.Close(ClosedReason.ClientClosed);
            }
        }
        return run.Loop;
    }

    /// <summary>Stops accepting and soliciting, closes every leaf connection and waits for the loops.</summary>
    public async Task StopAsync()
    {
        _listener?.Stop();
        _webSocketLeafs?.Dispose();
        StopUrlGossip();
        _stopping?.Cancel();
        foreach (var connection in _connections.Values)
        {
            connection.Close(ClosedReason.ServerShutdown);
        }
        Task[] loops;
        lock (_runs)
        {
            loops = [.. _runs.Values.Select(r => r.Loop)];
        }
        try
        {
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LeafLog.RemotesStopTimedOut(_logger);
        }
    }

    /// <summary>
    /// Hub side: INFO goes out in the clear before anything (TLS follows), then the link runs;
    /// with <c>tls { handshake_first }</c> TLS comes first and INFO follows over it.
    /// </summary>
    private async Task AcceptAsync(Socket socket)
    {
        LeafConnection connection;
        try
        {
            var tlsFirst = await ExpectsTlsFirstAsync(socket).ConfigureAwait(false);
            connection = new LeafConnection(_server, socket, this, _options, remote: null, url: null, firstInfo: null, nonce: Core.Security.Nonce.Generate(), _logger) { TlsFirst = tlsFirst };
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            socket.Dispose();
            return;
        }
        if (connection.TlsFirst)
        {
            await connection.RunAsync().ConfigureAwait(false);   // TLS, then INFO (see HandshakeAsync)
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(_server.Options.WriteDeadline);
            await socket.SendAsync(connection.BuildFirstInfo(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            LeafLog.AcceptInfoFailed(_logger, e.Message);
            socket.Dispose();
            return;
        }
        await connection.RunAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Whether an accepted leaf does TLS first (nats-server 2.10's leaf <c>handshake_first</c>):
    /// always with <c>handshake_first: true</c>; with a fallback delay (<c>handshake_first: "300ms"</c>
    /// or <c>auto</c>) only when the leaf speaks before it got an INFO, which only a TLS-first leaf does.
    /// </summary>
    private async Task<bool> ExpectsTlsFirstAsync(Socket socket)
    {
        if (_options.Tls is not { HandshakeFirst: true } tls)
        {
            return false;
        }
        if (tls.HandshakeFirstFallback is not { } delay || delay <= TimeSpan.Zero)
        {
            return true;
        }
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_server.ShutdownToken);
        wait.CancelAfter(delay);
        try
        {
            return await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, wait.Token).ConfigureAwait(false) > 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Leaf side: dials the remote's URLs in turn until a link runs, runs it to its end, and
    /// starts over after the reconnect interval (or the delay the hub's error asked for),
    /// until the server stops.
    /// </summary>
    private async Task SolicitAsync(RemoteLeafOptions remote, CancellationToken stopping)
    {
        var attempt = 0;
        var next = 0;
        while (!stopping.IsCancellationRequested)
        {
            var urls = CandidateUrls(remote);
            var url = urls[next++ % urls.Count];
            var delay = _options.ReconnectInterval;
            try
            {
                var connection = await DialAsync(remote, url, stopping).ConfigureAwait(false);
                if (connection is not null && stopping.IsCancellationRequested)
                {
                    connection.Close(ClosedReason.ClientClosed);
                    return;
                }
                if (connection is not null)
                {
                    attempt = 0;
                    await connection.RunAsync().ConfigureAwait(false);
                    delay = connection.RetryDelay ?? delay;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or TimeoutException or ObjectDisposedException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }
                attempt++;
                LeafLog.ConnectFailed(_logger, attempt == 1 || attempt % 60 == 0 ? LogLevel.Error : LogLevel.Debug, url.Authority, attempt, e.Message);
            }
            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The configured URLs and those the hub gossiped, configured ones last (nats-server's
    /// doUpdateLNURLs). A WebSocket remote's gossiped URLs are the hub's websocket ports,
    /// dialled with wss:// when the remote uses TLS.
    /// </summary>
    private List<Uri> CandidateUrls(RemoteLeafOptions remote)
    {
        var urls = new List<Uri>();
        var scheme = !LeafWebSocketDialer.IsWebSocket(remote) ? "nats-leaf"
            : remote.Tls is not null || LeafWebSocketDialer.IsSecure(remote.Urls[0]) ? "wss" : "ws";
        if (_learnedUrls.TryGetValue(remote, out var learned))
        {
            foreach (var hostPort in learned)
            {
                if (Uri.TryCreate(scheme + "://" + hostPort, UriKind.Absolute, out var url)
                    && !remote.Urls.Any(u => u.Host == url.Host && u.Port == url.Port))
                {
                    urls.Add(url);
                }
            }
        }
        urls.AddRange(remote.Urls);
        return urls;
    }

    /// <summary>
    /// Remembers the URLs a hub advertised, for the next reconnect: its leafnode URLs, or for a
    /// WebSocket remote its <c>ws_connect_urls</c> (nats-server's updateLeafNodeURLs).
    /// </summary>
    internal void LearnUrls(RemoteLeafOptions remote, LeafInfo info)
    {
        var urls = LeafWebSocketDialer.IsWebSocket(remote) ? info.WsConnectUrls : info.LeafnodeUrls;
        if (urls is { Length: > 0 })
        {
            _learnedUrls[remote] = urls;
        }
    }

    /// <summary>
    /// Connects to <paramref name="url"/> and reads the hub's first INFO there, in the clear and
    /// within <see cref="InfoWait"/>: it tells whether TLS follows, and carries the nonce to
    /// sign. A server that is not a leafnode port (no client_id or no leafnode_urls) is refused
    /// as nats-server's "attempted to connect to wrong port".
    /// </summary>
    private async Task<LeafConnection?> DialAsync(RemoteLeafOptions remote, Uri url, CancellationToken stopping)
    {
        if (LeafWebSocketDialer.IsWebSocket(url))
        {
            return await DialWebSocketAsync(remote, url, stopping).ConfigureAwait(false);
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var dial = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                dial.CancelAfter(DialTimeout);
                var port = url.Port > 0 ? url.Port : 7422;
                await socket.ConnectAsync(url.IdnHost, port, dial.Token).ConfigureAwait(false);
            }
            if (remote.Tls is { HandshakeFirst: true })
            {
                // handshake_first: the hub's INFO comes over TLS, read by the link itself.
                return new LeafConnection(_server, socket, this, _options, remote, url, firstInfo: null, nonce: null, _logger) { TlsFirst = true };
            }
            LeafInfo? info;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                wait.CancelAfter(InfoWait);
                info = await ReadFirstInfoAsync(socket, wait.Token).ConfigureAwait(false);
            }
            if (info is null || info.ClientId == 0 || info.LeafnodeUrls is null)
            {
                LeafLog.DialedWrongPort(_logger, RemoteLeafOptions.Redact(url));
                socket.Dispose();
                return null;
            }
            LearnUrls(remote, info);
            return new LeafConnection(_server, socket, this, _options, remote, url, info, info.Nonce, _logger);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads exactly the first line from the socket (peeking first, so nothing after it, like
    /// a TLS handshake, is consumed) and parses it as INFO; null when it is something else.
    /// </summary>
    private static async Task<LeafInfo?> ReadFirstInfoAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxInfoLine];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var peeked = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
            if (peeked == 0)
            {
                throw new IOException("connection closed before INFO");
            }
            var newline = buffer.AsSpan(filled, peeked).IndexOf((byte)'\n');
            var take = newline < 0 ? peeked : newline + 1;
            var read = 0;
            while (read < take)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled + read, take - read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException("connection closed before INFO");
                }
                read += n;
            }
            filled += take;
            if (newline >= 0)
            {
                var line = buffer.AsSpan(0, filled).TrimEnd("\r\n"u8);
                if (!line.StartsWith("INFO "u8))
                {
                    return null;
                }
                return LeafInfo.Parse(line[5..]);
            }
        }
        return null;
    }
}
