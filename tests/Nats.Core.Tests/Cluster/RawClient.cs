using System.Net.Sockets;
using System.Text;

namespace Nats.Core.Tests.Cluster;

/// <summary>A minimal protocol client over a raw socket, for cluster tests.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;
    private readonly StringBuilder _received = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    public string Info { get; private set; } = "";

    public static async Task<RawClient> ConnectAsync(int port, string connect = "{\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"headers\":true,\"no_responders\":true}")
    {
        var client = new RawClient();
        await client._tcp.ConnectAsync("127.0.0.1", port);
        client._stream = client._tcp.GetStream();
        client.Info = await client.ReadLineAsync(TimeSpan.FromSeconds(5));
        await client.SendAsync($"CONNECT {connect}\r\nPING\r\n");
        await client.ExpectAsync("PONG\r\n", TimeSpan.FromSeconds(5));
        return client;
    }

    public Task SendAsync(string text) => _stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    /// <summary>Round trip: everything sent before is processed by the server.</summary>
    public async Task FlushAsync()
    {
        await SendAsync("PING\r\n");
        await ExpectAsync("PONG\r\n", TimeSpan.FromSeconds(5));
    }

    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var text = _received.ToString();
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _received.Remove(0, end + 2);
                return text[..end];
            }
            await FillAsync(cts.Token);
        }
    }

    /// <summary>Waits until <paramref name="expected"/> has arrived; returns everything up to and including it.</summary>
    public async Task<string> ExpectAsync(string expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var text = _received.ToString();
            var index = text.IndexOf(expected, StringComparison.Ordinal);
            if (index >= 0)
            {
                _received.Remove(0, index + expected.Length);
                return text[..(index + expected.Length)];
            }
            try
            {
                await FillAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"did not receive '{expected}'; got '{text}'");
            }
        }
    }

    /// <summary>Counts occurrences of <paramref name="needle"/> in what arrives within <paramref name="window"/>.</summary>
    public async Task<int> CountAsync(string needle, TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                await FillAsync(cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        var text = _received.ToString();
        _received.Clear();
        var count = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private async Task FillAsync(CancellationToken token)
    {
        var read = await _stream.ReadAsync(_buffer, token);
        if (read == 0)
        {
            throw new IOException("connection closed; received so far: " + _received);
        }
        _received.Append(Encoding.UTF8.GetString(_buffer, 0, read));
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
