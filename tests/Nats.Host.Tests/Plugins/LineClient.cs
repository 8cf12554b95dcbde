using System.Net.Sockets;
using System.Text;

namespace Nats.Host.Tests.Plugins;

/// <summary>
/// A NATS connection kept open over a loopback socket, spoken to in protocol lines: enough to
/// subscribe, publish and see what the server sends (MSG, -ERR) while the test changes things.
/// </summary>
internal sealed class LineClient : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp = new();
    private readonly StringBuilder _received = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private NetworkStream _stream = null!;

    /// <summary>Connects as <paramref name="user"/> and waits for PONG (fails the test on anything else).</summary>
    public static async Task<LineClient> ConnectAsync(int port, string user, string pass)
    {
        var client = new LineClient();
        await client._tcp.ConnectAsync("127.0.0.1", port);
        client._stream = client._tcp.GetStream();
        await client.ExpectAsync("INFO ");
        await client.SendAsync($"CONNECT {{\"verbose\":false,\"pedantic\":false,\"user\":\"{user}\",\"pass\":\"{pass}\"}}\r\nPING\r\n");
        var answer = await client.ExpectAsync("PONG\r\n", "-ERR");
        Assert.That(answer, Does.EndWith("PONG\r\n"), $"{user} was not admitted");
        return client;
    }

    public Task SendAsync(string text) => _stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    /// <summary>Waits for any of <paramref name="needles"/>; returns what arrived up to and including it.</summary>
    public async Task<string> ExpectAsync(params string[] needles)
    {
        using var cancel = new CancellationTokenSource(Wait);
        while (true)
        {
            var text = _received.ToString();
            var hit = needles.Select(n => (Needle: n, Index: text.IndexOf(n, StringComparison.Ordinal))).Where(x => x.Index >= 0).OrderBy(x => x.Index).FirstOrDefault();
            if (hit.Needle is not null)
            {
                var end = text.IndexOf("\r\n", hit.Index, StringComparison.Ordinal);
                end = end < 0 ? hit.Index + hit.Needle.Length : end + 2;
                _received.Remove(0, end);
                return text[..end];
            }
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"None of [{string.Join(", ", needles)}] arrived; got: {text}");
                throw;
            }
            if (read == 0)
            {
                Assert.Fail($"The server closed the connection; got: {text}");
            }
            _received.Append(Encoding.UTF8.GetString(_buffer, 0, read));
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
