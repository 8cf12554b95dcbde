using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Nats.TestSupport;

/// <summary>
/// A WebSocket client over a bare socket, written from RFC 6455 independently of the server's
/// code, so tests can send any bytes (bad upgrades, unmasked or malformed frames) and see
/// exactly what comes back. Every read is bounded by <see cref="Timeout"/>.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawWebSocket(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Longest a single read waits (15 s: a loaded CI machine answers late, as for <see cref="RawClient.Timeout"/>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The server's response head to the upgrade (status line and headers), once connected.</summary>
    public string ResponseHead { get; private set; } = "";

    /// <summary>The stream to the server (for tests that write raw bytes themselves).</summary>
    public Stream Stream => _stream;

    /// <summary>One frame as received.</summary>
    public readonly record struct Frame(bool Final, bool Compressed, int Opcode, byte[] Payload)
    {
        /// <summary>The status of a close frame (1005 when it has none).</summary>
        public int CloseStatus => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 1005;

        /// <summary>The reason text of a close frame.</summary>
        public string CloseReason => Payload.Length > 2 ? Encoding.UTF8.GetString(Payload, 2, Payload.Length - 2) : "";
    }

    /// <summary>Opens a TCP connection to 127.0.0.1:<paramref name="port"/> without sending anything.</summary>
    public static async Task<RawWebSocket> OpenAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        return new RawWebSocket(socket);
    }

    /// <summary>A well-formed upgrade request for <paramref name="port"/>, with extra header lines.</summary>
    public static string UpgradeRequest(int port, string path = "/", params string[] extraHeaders)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = new StringBuilder()
            .Append($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
            .Append($"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n");
        foreach (var header in extraHeaders)
        {
            request.Append(header).Append("\r\n");
        }
        return request.Append("\r\n").ToString();
    }

    /// <summary>Connects and upgrades; throws unless the answer is 101.</summary>
    public static async Task<RawWebSocket> ConnectAsync(int port, string path = "/", params string[] extraHeaders)
    {
        var socket = await OpenAsync(port);
        await socket.SendTextAsync(UpgradeRequest(port, path, extraHeaders));
        var head = await socket.ReadResponseHeadAsync();
        if (!head.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal))
        {
            await socket.DisposeAsync();
            throw new InvalidOperationException("upgrade refused: " + head);
        }
        return socket;
    }

    /// <summary>Sends text as is (an HTTP request, say).</summary>
    public async Task SendTextAsync(string text)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await _stream.FlushAsync();
    }

    /// <summary>Sends bytes as is.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads the HTTP response head (up to the blank line), and keeps what follows buffered.</summary>
    public async Task<string> ReadResponseHeadAsync()
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                ResponseHead = Encoding.ASCII.GetString(_buffer, _start, end);
                _start += end + 4;
                return ResponseHead;
            }
            if (!await FillAsync())
            {
                throw new EndOfStreamException("closed before the response head ended: " + Encoding.ASCII.GetString(_buffer, _start, _end - _start));
            }
        }
    }

    /// <summary>Reads everything until the server closes (a refused upgrade's whole answer).</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await FillAsync())
        {
        }
        return Encoding.ASCII.GetString(_buffer, _start, _end - _start);
    }

    /// <summary>Encodes one frame: masked (as clients must) unless told otherwise.</summary>
    public static byte[] EncodeFrame(int opcode, ReadOnlySpan<byte> payload, bool final = true, bool mask = true, bool rsv1 = false, byte extraBits = 0)
    {
        var header = new List<byte> { (byte)((final ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | extraBits | opcode) };
        var maskBit = mask ? 0x80 : 0;
        if (payload.Length <= 125)
        {
            header.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length < 65536)
        {
            header.Add((byte)(maskBit | 126));
            header.Add((byte)(payload.Length >> 8));
            header.Add((byte)payload.Length);
        }
        else
        {
            header.Add((byte)(maskBit | 127));
            for (var i = 7; i >= 0; i--)
            {
                header.Add((byte)((long)payload.Length >> (8 * i)));
            }
        }
        var key = mask ? RandomNumberGenerator.GetBytes(4) : [];
        header.AddRange(key);
        var frame = new byte[header.Count + payload.Length];
        header.CopyTo(frame);
        payload.CopyTo(frame.AsSpan(header.Count));
        if (mask)
        {
            for (var i = 0; i < payload.Length; i++)
            {
                frame[header.Count + i] ^= key[i & 3];
            }
        }
        return frame;
    }

    /// <summary>Sends one (masked) frame.</summary>
    public Task SendFrameAsync(int opcode, ReadOnlySpan<byte> payload, bool final = true, bool mask = true, bool rsv1 = false) =>
        SendRawAsync(EncodeFrame(opcode, payload, final, mask, rsv1));

    /// <summary>Sends text as one masked binary frame.</summary>
    public Task SendBinaryAsync(string text) => SendFrameAsync(2, Encoding.UTF8.GetBytes(text));

    /// <summary>Reads one frame from the server.</summary>
    public async Task<Frame> ReadFrameAsync()
    {
        await EnsureAsync(2);
        var b0 = _buffer[_start];
        var b1 = _buffer[_start + 1];
        long length = b1 & 0x7F;
        var masked = (b1 & 0x80) != 0;
        var headerLength = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + (masked ? 4 : 0);
        await EnsureAsync(headerLength);
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2));
        }
        else if (length == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2));
        }
        if (length > 64 * 1024 * 1024)
        {
            throw new InvalidDataException($"frame of {length} bytes");
        }
        await EnsureAsync(headerLength + (int)length);
        var payload = _buffer.AsSpan(_start + headerLength, (int)length).ToArray();
        if (masked)
        {
            var key = _buffer.AsSpan(_start + headerLength - 4, 4).ToArray();
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] ^= key[i & 3];
            }
        }
        _start += headerLength + (int)length;
        return new Frame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0F, payload);
    }

    /// <summary>Reads frames until a close frame, which it returns (data frames before it are skipped).</summary>
    public async Task<Frame> ReadCloseAsync()
    {
        for (var i = 0; i < 10_000; i++)
        {
            var frame = await ReadFrameAsync();
            if (frame.Opcode == 8)
            {
                return frame;
            }
        }
        throw new InvalidDataException("no close frame in 10000 frames");
    }

    /// <summary>True when the server has closed the connection (reads end) within the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        try
        {
            while (await FillAsync())
            {
                _start = _end;   // discard whatever else comes
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;   // reset
        }
    }

    private async Task EnsureAsync(int count)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync())
            {
                throw new EndOfStreamException($"closed with {_end - _start} of {count} bytes");
            }
        }
    }

    private async Task<bool> FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        using var cts = new CancellationTokenSource(Timeout);
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
        _end += read;
        return read > 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
