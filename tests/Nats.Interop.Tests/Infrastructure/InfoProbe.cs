using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>The parts of a server's INFO line the harness looks at.</summary>
public sealed record ServerInfo(string ServerId, IReadOnlyList<string> ConnectUrls, string RawJson);

/// <summary>
/// Reads the INFO line a NATS server sends first on every client connection. This is the
/// readiness check (a listening socket alone does not prove the server speaks the protocol)
/// and how the harness sees which cluster peers a server knows (its <c>connect_urls</c>).
/// </summary>
public static class InfoProbe
{
    /// <summary>One attempt; throws on refusal, timeout or a first line that is not INFO.</summary>
    public static async Task<ServerInfo> ReadAsync(int port, TimeSpan timeout, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        var line = await ReadLineAsync(socket, cts.Token);
        if (!line.StartsWith("INFO ", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"expected INFO from port {port}, got: {Truncate(line)}");
        return Parse(line[5..].Trim());
    }

    public static ServerInfo Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var id = root.TryGetProperty("server_id", out var idEl) ? idEl.GetString() ?? "" : "";
        var urls = new List<string>();
        if (root.TryGetProperty("connect_urls", out var urlsEl) && urlsEl.ValueKind == JsonValueKind.Array)
            urls.AddRange(urlsEl.EnumerateArray().Select(u => u.GetString() ?? ""));
        return new ServerInfo(id, urls, json);
    }

    /// <summary>Port part of a connect URL such as <c>127.0.0.1:4222</c> or <c>nats://host:4222</c>.</summary>
    public static int PortOf(string url)
    {
        var s = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var colon = s.LastIndexOf(':');
        return colon >= 0 && int.TryParse(s[(colon + 1)..].TrimEnd('/'), out var port) ? port : -1;
    }

    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken ct)
    {
        // INFO can be a few KB with many connect_urls; cap it so a misbehaving server can't hang us.
        var buffer = new byte[64 * 1024];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
            if (n == 0)
                throw new IOException($"connection closed before a full line (got: {Truncate(Encoding.UTF8.GetString(buffer, 0, filled))})");
            var start = filled;
            filled += n;
            var nl = Array.IndexOf(buffer, (byte)'\n', start, n);
            if (nl >= 0)
                return Encoding.UTF8.GetString(buffer, 0, nl).TrimEnd('\r');
        }
        throw new InvalidDataException("first protocol line exceeds 64 KiB");
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "...";
}
