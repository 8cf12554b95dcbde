using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Nats.WebSocket.Config;
using Nats.WebSocket.Framing;
using Nats.WebSocket.Handshake;

namespace Nats.WebSocket.Tests;

/// <summary>
/// A loopback TCP listener that runs the plugin's handshake on each connection and then hands
/// the upgraded <see cref="WebSocketStream"/> to a handler (an echo by default). What each
/// connection came to (upgrade, rejection, error) is queued for the test to inspect.
/// </summary>
internal sealed class HandshakeHost : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];

    public HandshakeHost(WebSocketOptions options, Func<WebSocketStream, WebSocketUpgrade, Task>? handler = null,
        TimeSpan? handshakeTimeout = null, int maxPayload = 1024 * 1024)
    {
        Policy = new HandshakePolicy(options);
        Handler = handler ?? EchoAsync;
        HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(5);
        MaxPayload = maxPayload;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public HandshakePolicy Policy { get; }

    public Func<WebSocketStream, WebSocketUpgrade, Task> Handler { get; }

    public TimeSpan HandshakeTimeout { get; }

    public int MaxPayload { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>One entry per finished connection: the upgrade, the rejection, or the exception.</summary>
    public Channel<object> Outcomes { get; } = Channel.CreateUnbounded<object>();

    /// <summary>Waits (bounded) for the next connection's outcome.</summary>
    public async Task<object> NextOutcomeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await Outcomes.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Echoes every byte read back as written, until the peer ends.</summary>
    public static async Task EchoAsync(WebSocketStream stream, WebSocketUpgrade upgrade)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, n));
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            lock (_connections)
            {
                _connections.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        try
        {
            WebSocketHandshake.Result result;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                timeout.CancelAfter(HandshakeTimeout);
                result = await WebSocketHandshake.AcceptAsync(network, Policy, isTls: false, timeout.Token);
            }
            if (result.Upgrade is not { } upgrade)
            {
                Outcomes.Writer.TryWrite(result.Rejection!);
                return;
            }
            await using var stream = new WebSocketStream(network, new WebSocketStreamOptions
            {
                Compression = upgrade.Compression,
                Browser = upgrade.Browser,
                NoCompressedFragments = upgrade.NoCompressedFragments,
                RequireMaskedInput = !upgrade.NoMasking,
                MaxPayload = MaxPayload,
            });
            try
            {
                await Handler(stream, upgrade);
                Outcomes.Writer.TryWrite(upgrade);
            }
            catch (Exception e)
            {
                Outcomes.Writer.TryWrite(e);
            }
        }
        catch (Exception e)
        {
            Outcomes.Writer.TryWrite(e);
        }
        finally
        {
            await network.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAny(Task.WhenAll(connections), Task.Delay(TimeSpan.FromSeconds(5)));
        _stop.Dispose();
    }
}
