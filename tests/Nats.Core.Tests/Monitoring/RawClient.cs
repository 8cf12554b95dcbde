using System.Net.Sockets;
using System.Text;

namespace Nats.Core.Tests.Monitoring;

/// <summary>A bare NATS protocol client over a socket: send text, wait for text. Every wait is bounded.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StringBuilder _received = new();
    private int _consumed;

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Everything received so far.</summary>
    public string Received => _received.ToString();

    /// <summary>Connects and reads the server's INFO.</summary>
    public static async Task<RawClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WaitLimit);
        await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
        var client = new RawClient(tcp);
        await client.WaitForAsync("INFO ", cancellationToken);
        return client;
    }

    /// <summary>Connects, sends CONNECT (with <paramref name="connectJson"/>) and the extra protocol, and waits for the PONG that proves all of it was processed.</summary>
    public static async Task<RawClient> ConnectAsync(int port, string connectJson, string protocol, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync(port, cancellationToken);
        await client.SendAsync($"CONNECT {connectJson}\r\n{protocol}PING\r\n", cancellationToken);
        await client.WaitForAsync("PONG\r\n", cancellationToken);
        return client;
    }

    public async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Sends PING and waits for its PONG: the server has processed everything sent before.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await SendAsync("PING\r\n", cancellationToken);
        await WaitForAsync("PONG\r\n", cancellationToken);
    }

    /// <summary>Waits until <paramref name="text"/> arrives after what earlier waits consumed.</summary>
    public async Task WaitForAsync(string text, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WaitLimit);
        var buffer = new byte[4096];
        while (true)
        {
            var index = _received.ToString().IndexOf(text, _consumed, StringComparison.Ordinal);
            if (index >= 0)
            {
                _consumed = index + text.Length;
                return;
            }
            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"waited {WaitLimit} for \"{text.Trim()}\"; received: {_received}");
            }
            if (read == 0)
            {
                throw new IOException($"connection closed while waiting for \"{text.Trim()}\"; received: {_received}");
            }
            _received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
