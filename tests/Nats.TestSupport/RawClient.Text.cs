using System.Text;

namespace Nats.TestSupport;

/// <summary>
/// Waiting for text wherever it arrives, for scenario tests (clusters, monitoring, TLS) that
/// care that something came, not about every line before it.
/// </summary>
public sealed partial class RawClient
{
    /// <summary>The CONNECT of scenario tests: <see cref="QuietConnect"/> plus <c>no_responders</c>.</summary>
    public const string NoRespondersConnect = """{"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true}""";

    private readonly StringBuilder _received = new();

    /// <summary>Everything read from the server so far, as text (not what <see cref="ReadRawAsync"/> hands out).</summary>
    public string Received => _received.ToString();

    /// <summary>
    /// Connects, reads INFO, sends CONNECT and PING and waits for the PONG, whatever comes before
    /// it (in a cluster an asynchronous INFO may).
    /// </summary>
    public static async Task<RawClient> ConnectAndFlushAsync(int port, string connectJson = NoRespondersConnect)
    {
        var client = await ConnectAsync(port);
        await client.SendAsync($"CONNECT {connectJson}\r\n");
        await client.FlushAsync();
        return client;
    }

    /// <summary>
    /// Round trip: sends PING and waits for its PONG, so the server has processed everything sent
    /// before. Returns what arrived up to and including the PONG.
    /// </summary>
    public async Task<string> FlushAsync(CancellationToken cancellationToken = default)
    {
        await SendAsync("PING\r\n", cancellationToken);
        return await ExpectAsync("PONG\r\n");
    }

    /// <summary>
    /// Waits until <paramref name="expected"/> arrives (within <paramref name="timeout"/>, by
    /// default <see cref="Timeout"/>) and consumes it; returns everything up to and including it.
    /// </summary>
    /// <exception cref="TimeoutException">It did not arrive in time.</exception>
    public async Task<string> ExpectAsync(string expected, TimeSpan? timeout = null)
    {
        var needle = Encoding.UTF8.GetBytes(expected);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CurrentContext.CancellationToken);
        cts.CancelAfter(timeout ?? Timeout);
        while (true)
        {
            var index = _buffer.AsSpan(_start, _end - _start).IndexOf(needle);
            if (index >= 0)
            {
                var upTo = Encoding.UTF8.GetString(_buffer, _start, index + needle.Length);
                _start += index + needle.Length;
                return upTo;
            }
            try
            {
                await FillAsync(cts.Token);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"did not receive '{expected}'; got '{Encoding.UTF8.GetString(_buffer, _start, _end - _start)}'");
            }
        }
    }

    /// <summary>Counts the occurrences of <paramref name="needle"/> in what arrives within <paramref name="window"/> (and was not read yet).</summary>
    public async Task<int> CountAsync(string needle, TimeSpan window)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CurrentContext.CancellationToken);
        cts.CancelAfter(window);
        try
        {
            while (true)
            {
                await FillAsync(cts.Token);
            }
        }
        catch (TimeoutException)
        {
        }
        var text = Encoding.UTF8.GetString(_buffer, _start, _end - _start);
        _start = _end;
        var count = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
