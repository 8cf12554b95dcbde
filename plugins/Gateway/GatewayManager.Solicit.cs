using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Nats.Gateway;

internal sealed partial class GatewayManager
{
    // nats-server's DEFAULT_ROUTE_DIAL.
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);

    // nats-server's DEFAULT_GATEWAY_PORT, for URLs without a port.
    private const int DefaultPort = 7222;

    private async Task SolicitExplicitAsync()
    {
        try
        {
            await Task.Delay(SolicitDelay, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        foreach (var remote in Remotes().Where(r => !r.IsImplicit))
        {
            _ = RunRemoteAsync(remote);
        }
    }

    /// <summary>
    /// nats-server's <c>processImplicitGateway</c>: a remote we did not know (from an inbound
    /// connection's INFO or a gossip) is added and dialled; a known one gets the URLs.
    /// </summary>
    public void LearnImplicit(string name, IReadOnlyList<string>? urls)
    {
        if (name == Name)
        {
            return;
        }
        RemoteGateway remote;
        lock (_lock)
        {
            if (_remotes.TryGetValue(name, out var known))
            {
                if (urls is not null)
                {
                    known.AddUrls(urls);
                }
                return;
            }
            if (urls is not { Count: > 0 })
            {
                return;
            }
            remote = new RemoteGateway(name, [], isImplicit: true, tlsSet: null);
            remote.AddUrls(urls);
            _remotes[name] = remote;
        }
        _ = RunRemoteAsync(remote);
    }

    /// <summary>
    /// Keeps an outbound connection to <paramref name="remote"/>: dial rounds over its URLs in
    /// random order 1 s apart; once connected, run it; when it closes, dial again after a short
    /// random pause (plus 1 s for explicit remotes). An implicit remote is dropped after
    /// <c>connect_retries</c> failed rounds unless it has an inbound connection to us.
    /// </summary>
    private async Task RunRemoteAsync(RemoteGateway remote)
    {
        var token = _stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var connected = await SolicitAsync(remote, token).ConfigureAwait(false);
                if (!connected)
                {
                    return;
                }
                var pause = TimeSpan.FromMilliseconds(Random.Shared.Next(100)) + (remote.IsImplicit ? TimeSpan.Zero : ConnectDelay);
                await Task.Delay(pause, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Dials until one URL answers, then runs the connection to its end. False when the remote was given up.</summary>
    private async Task<bool> SolicitAsync(RemoteGateway remote, CancellationToken token)
    {
        var kind = remote.IsImplicit ? "implicit" : "explicit";
        var attempts = 0;
        while (!token.IsCancellationRequested)
        {
            var urls = remote.ShuffledUrls();
            if (urls.Count == 0)
            {
                return false;
            }
            attempts++;
            foreach (var url in urls)
            {
                var socket = await DialAsync(url, token).ConfigureAwait(false);
                if (socket is null)
                {
                    if (attempts == 1 || attempts % 60 == 0)
                    {
                        GatewayLog.ConnectFailed(_log, kind, remote.Name, $"{url.Host}:{url.Port}", attempts);
                    }
                    continue;
                }
                GatewayLog.Connecting(_log, kind, remote.Name, $"{url.Host}:{url.Port}", attempts);
                await new GatewayConnection(this, socket, remote, url, _log).RunAsync().ConfigureAwait(false);
                return true;
            }
            if (remote.IsImplicit && (_options.ConnectRetries == 0 || attempts > _options.ConnectRetries))
            {
                lock (_lock)
                {
                    if (!HasInbound(remote.Name))
                    {
                        _remotes.Remove(remote.Name);
                        return false;
                    }
                }
            }
            await Task.Delay(ConnectDelay, token).ConfigureAwait(false);
        }
        return false;
    }

    private bool HasInbound(string name) => _inbound.Values.Any(c => c.RemoteName == name && !c.IsClosed);

    private static async Task<Socket?> DialAsync(Uri url, CancellationToken token)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(DialTimeout);
        Socket? socket = null;
        try
        {
            var addresses = IPAddress.TryParse(url.Host, out var address)
                ? [address]
                : await Dns.GetHostAddressesAsync(url.IdnHost, deadline.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                return null;
            }
            var target = addresses[Random.Shared.Next(addresses.Length)];
            socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(target, url.Port > 0 ? url.Port : DefaultPort), deadline.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket?.Dispose();
            token.ThrowIfCancellationRequested();
            return null;
        }
    }
}
