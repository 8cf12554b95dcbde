using Nats.Core.Connections;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core.Logging;

namespace Nats.Core.Cluster;

public sealed partial class RouteManager
{
    private static readonly TimeSpan ConnectDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);

    // Routes being dialled, so gossip and reconnects do not dial the same URL twice.
    private readonly HashSet<string> _dialling = new(StringComparer.OrdinalIgnoreCase);

    private void StartDialling(Uri url, bool isExplicit, bool reconnect = false)
    {
        var key = HostPort.Join(url.Host, url.Port);
        lock (_dialling)
        {
            if (!_dialling.Add(key))
            {
                return;
            }
        }
        _ = DialAsync(url, key, isExplicit, reconnect);
    }

    /// <summary>
    /// Dials a route: explicit routes forever, discovered ones up to connect_retries times,
    /// one second apart (with jitter on reconnects so two servers do not race forever).
    /// </summary>
    private async Task DialAsync(Uri url, string key, bool isExplicit, bool reconnect)
    {
        try
        {
            var token = _server.ShutdownToken;
            if (reconnect)
            {
                var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(100)) + (isExplicit ? ConnectDelay : TimeSpan.Zero);
                await Task.Delay(delay, token).ConfigureAwait(false);
            }
            var attempts = 0;
            while (!token.IsCancellationRequested && _server.IsRunning && !_server.IsLameDuck)
            {
                if (isExplicit && !IsStillConfigured(url))
                {
                    return;
                }
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                    timeout.CancelAfter(DialTimeout);
                    RouteLog.Dialling(Log, url.Host, url.Port);
                    await socket.ConnectAsync(url.Host, url.Port, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    socket.Dispose();
                    if (token.IsCancellationRequested)
                    {
                        return;
                    }
                    attempts++;
                    var message = ex is SocketException se ? se.Message : "dial timeout";
                    // nats-server's reconnect_error_reports: the first failure and every 3600th are errors.
                    RouteLog.DialFailed(Log, attempts == 1 || attempts % 3600 == 0 ? LogLevel.Error : LogLevel.Debug, attempts, message);
                    if (!isExplicit && attempts > _server.Options.Cluster.ConnectRetries)
                    {
                        return;
                    }
                    await Task.Delay(ConnectDelay, token).ConfigureAwait(false);
                    continue;
                }
                // The connection runs on its own; this dial is done.
                _ = RunRouteAsync(socket, url, isExplicit);
                return;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_dialling)
            {
                _dialling.Remove(key);
            }
        }
    }

    private bool IsStillConfigured(Uri url) =>
        _server.Options.Cluster.Routes.Any(r => string.Equals(r.Host, url.Host, StringComparison.OrdinalIgnoreCase) && r.Port == url.Port);

    /// <summary>
    /// Reload: dial routes that were added; close routes that were removed (they are not
    /// redialled, since they are no longer configured).
    /// </summary>
    internal void ApplyReload(Config.ClusterOptions current, Config.ClusterOptions proposed)
    {
        if (!proposed.Enabled)
        {
            return;
        }
        var before = current.Routes.Select(Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var after = proposed.Routes.Select(Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var url in proposed.Routes.Where(u => !before.Contains(Key(u))))
        {
            RouteLog.Adding(Log, url);
            StartDialling(url, isExplicit: true);
        }
        foreach (var route in _connections.Values)
        {
            if (route.DidSolicit && route.IsExplicit && route.Url is not null && before.Contains(Key(route.Url)) && !after.Contains(Key(route.Url)))
            {
                RouteLog.Removing(Log, route.Url);
                route.Close(Connections.ClosedReason.RouteRemoved);
            }
        }

        static string Key(Uri url) => HostPort.Join(url.Host, url.Port);
    }
}
