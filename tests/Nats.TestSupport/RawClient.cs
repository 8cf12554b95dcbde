using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Nats.TestSupport;

/// <summary>
/// The test suite's one protocol client, over a bare socket: it sends exactly the bytes it is
/// given and reads exactly what the server wrote, so tests can assert the wire format byte for
/// byte. Every read is bounded by <see cref="Timeout"/> (and by the test's own cancellation).
/// </summary>
/// <remarks>
/// Split by use: strict line and frame reads for wire-format tests (here), waits for text
/// wherever it arrives for scenario tests (.Text.cs), and the TLS handshake (.Tls.cs).
/// </remarks>
public sealed partial class RawClient : IAsyncDisposable
{
    /// <summary>The CONNECT most tests use: quiet, headers on, protocol 1 (async INFO).</summary>
    public const string QuietConnect = """{"verbose":false,"pedantic":false,"headers":true,"protocol":1}""";

    private readonly Socket _socket;
    private readonly byte[] _chunk = new byte[64 * 1024];
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    private RawClient(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>
    /// Longest a single read or expectation waits: 15 s, since CI runs every test project at once
    /// on 2 cores and a loaded server answers late. What must not come is awaited for a window of
    /// its own (<see cref="DrainAsync"/>, <see cref="CountAsync"/>, <see cref="ExpectAsync"/>'s timeout).
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Answers server PINGs (the server sends its first one about 2 s after CONNECT) and hides
    /// them from reads, for tests that run long enough to see one.
    /// </summary>
    public bool AnswerPings { get; set; }

    /// <summary>The INFO line the server sent first, as sent (without CRLF), or null.</summary>
    public string? InfoLine { get; private set; }

    /// <summary>The INFO line the server sent first (without <c>INFO </c> and CRLF), or null.</summary>
    public string? InfoJson { get; private set; }

    /// <summary>The parsed INFO.</summary>
    public JsonElement Info => JsonDocument.Parse(InfoJson ?? throw new InvalidOperationException("no INFO read")).RootElement;

    /// <summary>The underlying socket (for tests that tune buffers).</summary>
    public Socket Socket => _socket;

    /// <summary>Opens a TCP connection to 127.0.0.1 and, unless told otherwise, reads the INFO.</summary>
    /// <param name="port">The server's client port.</param>
    /// <param name="readInfo">Read (and check) the INFO the server greets with.</param>
    /// <param name="receiveBuffer">A small value makes the kernel socket buffers fill quickly (slow consumer tests).</param>
    public static async Task<RawClient> ConnectAsync(int port, bool readInfo = true, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer is { } size)
        {
            // Must be set before connect to bound the TCP window.
            socket.ReceiveBufferSize = size;
        }
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        }
        var client = new RawClient(socket);
        if (readInfo)
        {
            await client.ReadInfoAsync();
        }
        return client;
    }

    /// <summary>Wraps a socket the test accepted (a test playing a server that our server dials).</summary>
    public static RawClient Wrap(Socket socket)
    {
        socket.NoDelay = true;
        return new RawClient(socket);
    }

    /// <summary>
    /// Connects, reads INFO, sends CONNECT + PING and waits for PONG, answering the server's own
    /// PING should it come first: the server sends one about 2 s after accepting, and a CONNECT
    /// that takes longer (a bcrypt check on a loaded machine) puts it ahead of the PONG.
    /// </summary>
    public static async Task<RawClient> ConnectAndHandshakeAsync(int port, string connectJson = QuietConnect)
    {
        var client = await ConnectAsync(port);
        await client.SendAsync($"CONNECT {connectJson}\r\n");
        await client.SendAsync("PING\r\n");
        string line;
        while ((line = await client.ReadLineAsync()) == "PING")
        {
            await client.SendAsync("PONG\r\n");
        }
        Assert.That(line, Is.EqualTo("PONG"), "the answer to the handshake's PING");
        return client;
    }

    /// <summary>
    /// Connects with <paramref name="user"/>/<paramref name="pass"/> (none when null), sends
    /// CONNECT and PING, and returns the server's first answer: <c>PONG</c> or the <c>-ERR</c> line.
    /// </summary>
    public static async Task<string> TryLoginAsync(int port, string? user, string? pass)
    {
        await using var client = await ConnectAsync(port);
        var connect = user is null ? """{"verbose":false,"pedantic":false}""" : UserConnect(user, pass ?? "");
        await client.SendAsync($"CONNECT {connect}\r\nPING\r\n");
        return await client.ReadLineAsync();
    }

    /// <summary>A quiet CONNECT with <paramref name="user"/> and <paramref name="pass"/>.</summary>
    public static string UserConnect(string user, string pass) =>
        $$"""{"verbose":false,"pedantic":false,"user":"{{user}}","pass":"{{pass}}"}""";

    /// <summary>Sends text (UTF-8) as it is.</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken = default) => SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Sends bytes in one write.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        using var cts = Cancellation(cancellationToken);
        if (_tls is not null)
        {
            await _tls.WriteAsync(bytes, cts.Token);
            return;
        }
        await _socket.SendAsync(bytes, SocketFlags.None, cts.Token);
    }

    /// <summary>Sends PING and expects the very next line to be PONG (proves everything before it was processed).</summary>
    public async Task PingAsync()
    {
        await SendAsync("PING\r\n");
        await ExpectLineAsync("PONG");
    }

    /// <summary>Reads one line (without its CRLF). Throws on timeout or when the server closed.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var cts = Cancellation();
        while (true)
        {
            var index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, index);
                _start += index + 2;
                if (AnswerPings && line == "PING")
                {
                    await SendAsync("PONG\r\n");
                    continue;
                }
                return line;
            }
            await FillAsync(cts.Token);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        using var cts = Cancellation();
        while (_end - _start < count)
        {
            await FillAsync(cts.Token);
        }
        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    /// <summary>
    /// Reads whatever bytes are available (buffered first), for tests that must consume at
    /// full speed; returns 0 when the server closed.
    /// </summary>
    public async Task<int> ReadRawAsync(Memory<byte> destination)
    {
        if (_end > _start)
        {
            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }
        using var cts = Cancellation();
        try
        {
            return await ReceiveAsync(destination, cts.Token);
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    /// <summary>Asserts that the next line is <paramref name="expected"/>.</summary>
    public async Task ExpectLineAsync(string expected)
    {
        var line = await ReadLineAsync();
        Assert.That(line, Is.EqualTo(expected));
    }

    /// <summary>Asserts that the next line is <c>-ERR 'text'</c>.</summary>
    public Task ExpectErrAsync(string text) => ExpectLineAsync($"-ERR '{text}'");

    /// <summary>Reads one server operation: MSG/HMSG with their payload, or any other line.</summary>
    public async Task<ServerFrame> ReadFrameAsync()
    {
        var line = await ReadLineAsync();
        if (line.StartsWith("MSG ", StringComparison.Ordinal) || line.StartsWith("HMSG ", StringComparison.Ordinal))
        {
            var frame = ServerFrame.ParseMessageLine(line);
            var body = await ReadBytesAsync(frame.TotalSize + 2);
            Assert.That(body.AsSpan(frame.TotalSize).SequenceEqual("\r\n"u8), Is.True, $"payload of '{line}' must end with CRLF");
            return frame with { Headers = body[..frame.HeaderSize], Payload = body[frame.HeaderSize..frame.TotalSize] };
        }
        return new ServerFrame(line);
    }

    /// <summary>Reads a MSG/HMSG and asserts it is one.</summary>
    public async Task<ServerFrame> ReadMessageAsync()
    {
        var frame = await ReadFrameAsync();
        Assert.That(frame.IsMessage, Is.True, $"expected MSG/HMSG, got '{frame.Line}'");
        return frame;
    }

    /// <summary>Reads a MSG and asserts subject, sid, reply and payload.</summary>
    public async Task<ServerFrame> ExpectMsgAsync(string subject, string sid, string payload, string? reply = null)
    {
        var frame = await ReadMessageAsync();
        Assert.That(frame.Line, Is.EqualTo(reply is null
            ? $"MSG {subject} {sid} {Encoding.UTF8.GetByteCount(payload)}"
            : $"MSG {subject} {sid} {reply} {Encoding.UTF8.GetByteCount(payload)}"));
        Assert.That(frame.PayloadText, Is.EqualTo(payload));
        return frame;
    }

    /// <summary>
    /// Reads until the server closes the connection and returns everything read (text). A
    /// reset counts as a close: a server closing with unread input sends RST instead of FIN.
    /// </summary>
    public async Task<string> ReadUntilClosedAsync()
    {
        using var cts = Cancellation();
        while (!_eof)
        {
            await FillAsync(cts.Token, throwOnEof: false);
        }
        var rest = Encoding.UTF8.GetString(_buffer, _start, _end - _start);
        _start = _end;
        if (AnswerPings)
        {
            while (rest.StartsWith("PING\r\n", StringComparison.Ordinal))
            {
                rest = rest["PING\r\n".Length..];
            }
        }
        return rest;
    }

    /// <summary>Asserts the server sends exactly <c>-ERR 'text'</c> and then closes.</summary>
    public async Task ExpectErrAndCloseAsync(string text)
    {
        Assert.That(await ReadUntilClosedAsync(), Is.EqualTo($"-ERR '{text}'\r\n"));
    }

    /// <summary>Asserts the server closes without sending anything more.</summary>
    public async Task ExpectCloseWithoutErrorAsync()
    {
        Assert.That(await ReadUntilClosedAsync(), Is.Empty);
    }

    /// <summary>True when the server closed the connection (after reading whatever was pending).</summary>
    public bool IsClosedByServer => _eof;

    /// <summary>Reads everything until <paramref name="quiet"/> passes with no data, or the server closes.</summary>
    public async Task<string> DrainAsync(TimeSpan quiet)
    {
        while (!_eof)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CurrentContext.CancellationToken);
            cts.CancelAfter(quiet);
            try
            {
                await FillAsync(cts.Token, throwOnEof: false);
            }
            catch (TimeoutException)
            {
                break;
            }
        }
        var rest = Encoding.UTF8.GetString(_buffer, _start, _end - _start);
        _start = _end;
        return rest;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }
        _socket.Dispose();
    }

    private async Task ReadInfoAsync()
    {
        var line = await ReadLineAsync();
        Assert.That(line, Does.StartWith("INFO {"), "the server must greet with INFO");
        InfoLine = line;
        InfoJson = line["INFO ".Length..].TrimEnd();
    }

    private CancellationTokenSource Cancellation(CancellationToken also = default)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CurrentContext.CancellationToken, also);
        cts.CancelAfter(Timeout);
        return cts;
    }

    // Plain connections read the socket itself; after a TLS handshake everything goes through the stream.
    private ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken token) =>
        _tls is not null ? _tls.ReadAsync(destination, token) : _socket.ReceiveAsync(destination, SocketFlags.None, token);

    private async Task FillAsync(CancellationToken token, bool throwOnEof = true)
    {
        if (_eof)
        {
            if (throwOnEof)
            {
                throw new AssertionException($"the server closed the connection; unread: '{Encoding.UTF8.GetString(_buffer, _start, _end - _start)}'");
            }
            return;
        }
        int read;
        try
        {
            read = await ReceiveAsync(_chunk, token);
        }
        catch (OperationCanceledException) when (!TestContext.CurrentContext.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"nothing from the server for {Timeout}; unread: '{Encoding.UTF8.GetString(_buffer, _start, _end - _start)}'");
        }
        catch (SocketException)
        {
            read = 0;
        }
        if (read == 0)
        {
            _eof = true;
            if (throwOnEof)
            {
                throw new AssertionException($"the server closed the connection; unread: '{Encoding.UTF8.GetString(_buffer, _start, _end - _start)}'");
            }
            return;
        }
        if (_start > 0 && _end + read > _buffer.Length)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end + read > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + read));
        }
        _chunk.AsSpan(0, read).CopyTo(_buffer.AsSpan(_end));
        _end += read;
        _received.Append(Encoding.UTF8.GetString(_chunk, 0, read));
    }
}
