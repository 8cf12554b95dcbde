using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay that holds traffic until <see cref="Release"/>, to force orderings that
/// are otherwise races. <see cref="AfterFirstLine"/> relays one client connection, passing its
/// first line (a CONNECT) and holding what follows (the first PING), and keeps the lines the
/// server sent back, in order. <see cref="Gate"/> relays every connection (a server's route,
/// which may be retried) but opens none to the target before the release. Every wait ends with
/// <see cref="DisposeAsync"/>.
/// </summary>
public sealed class HoldingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly bool _gate;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstLinePassed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _serverLines = [];
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    private HoldingRelay(int targetPort, bool gate)
    {
        _target = targetPort;
        _gate = gate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>One client connection to <paramref name="targetPort"/>: its first line passes, the rest waits for <see cref="Release"/>.</summary>
    public static HoldingRelay AfterFirstLine(int targetPort) => new(targetPort, gate: false);

    /// <summary>Every connection to <paramref name="targetPort"/>, none opened to it before <see cref="Release"/>.</summary>
    public static HoldingRelay Gate(int targetPort) => new(targetPort, gate: true);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary><see cref="AfterFirstLine"/>: completes once the client's first line reached the target.</summary>
    public Task FirstLinePassed => _firstLinePassed.Task;

    /// <summary>Lets the held traffic (and everything after it) through.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary><see cref="AfterFirstLine"/>: the lines the target sent the client so far, without their CRLF.</summary>
    public IReadOnlyList<string> ServerLines
    {
        get
        {
            lock (_serverLines)
            {
                return [.. _serverLines];
            }
        }
    }

    private async Task AcceptAsync()
    {
        var ct = _stop.Token;
        do
        {
            var client = await _listener.AcceptSocketAsync(ct);
            lock (_connections)
            {
                _connections.Add(RelayAsync(client, ct));
            }
        }
        // AfterFirstLine holds one connection: a client that reconnected would not be held, so it is refused.
        while (_gate);
        _listener.Stop();
    }

    private async Task RelayAsync(Socket client, CancellationToken ct)
    {
        using var _ = client;
        if (_gate)
        {
            await _released.Task.WaitAsync(ct);
        }
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), ct);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Task.WhenAny(ServerToClientAsync(server, client, done.Token), ClientToServerAsync(client, server, done.Token));
        await done.CancelAsync();
    }

    private async Task ClientToServerAsync(Socket client, Socket server, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var holding = !_gate;
        while (true)
        {
            var n = await client.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0)
            {
                return;
            }
            var start = 0;
            if (holding && Array.IndexOf(buffer, (byte)'\n', 0, n) is var newline and >= 0)
            {
                await SendAllAsync(server, buffer.AsMemory(0, newline + 1), ct);
                holding = false;
                _firstLinePassed.TrySetResult();
                await _released.Task.WaitAsync(ct);
                start = newline + 1;
            }
            await SendAllAsync(server, buffer.AsMemory(start, n - start), ct);
        }
    }

    private async Task ServerToClientAsync(Socket server, Socket client, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var partial = new StringBuilder();
        while (true)
        {
            var n = await server.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0)
            {
                return;
            }
            if (!_gate)
            {
                // Kept before it is passed on: the client cannot act on a line the test has not seen.
                Record(partial, Encoding.UTF8.GetString(buffer, 0, n));
            }
            await SendAllAsync(client, buffer.AsMemory(0, n), ct);
        }
    }

    private void Record(StringBuilder partial, string text)
    {
        partial.Append(text);
        var all = partial.ToString();
        var end = all.LastIndexOf("\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return;
        }
        lock (_serverLines)
        {
            _serverLines.AddRange(all[..end].Split("\r\n"));
        }
        partial.Clear().Append(all[(end + 2)..]);
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (data.Length > 0)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, ct);
            data = data[sent..];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        List<Task> all;
        lock (_connections)
        {
            all = [_accepting, .. _connections];
        }
        foreach (var task in all)
        {
            try
            {
                await task;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped while waiting or relaying: nothing left to relay.
            }
        }
        _stop.Dispose();
    }
}
