using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Nats.Core.Security;
using Nats.Leafnode.Config;

namespace Nats.Leafnode.Links;

/// <summary>
/// The client side of a leaf link over WebSocket (a <c>ws://</c> or <c>wss://</c> remote), as
/// nats-server's <c>leafNodeSolicitWSConnection</c>: a GET of <c>/leafnode</c> (after the URL's
/// own path) with the RFC 6455 upgrade headers, permessage-deflate offered with no context
/// takeover either way when <c>ws_compression</c> is set, the 101 checked as nats-server checks
/// it; the upgraded connection is then .NET's client <see cref="WebSocket"/> (which masks its
/// frames) seen as a binary <see cref="Stream"/>. TLS (wss) is the caller's, underneath.
/// </summary>
internal static class LeafWebSocketDialer
{
    /// <summary>The path suffix that tells a websocket listener the peer is a leaf (nats-server's leafNodeWSPath).</summary>
    public const string LeafPath = "/leafnode";

    /// <summary>nats-server's request extension: permessage-deflate without context takeover.</summary>
    private const string DeflateOffer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>The longest 101 head read (Go's http.ReadResponse has no smaller bound that matters here).</summary>
    private const int MaxResponseHead = 64 * 1024;

    /// <summary>nats-server's isWSURL: the scheme starts with "ws".</summary>
    public static bool IsWebSocket(Uri url) => url.Scheme.StartsWith("ws", StringComparison.OrdinalIgnoreCase);

    /// <summary>A remote whose URLs are WebSocket ones (configuration refuses a mix).</summary>
    public static bool IsWebSocket(RemoteLeafOptions remote) => remote.Urls.Count > 0 && IsWebSocket(remote.Urls[0]);

    /// <summary>wss:// asks for TLS even without a <c>tls</c> block (nats-server marks such remotes TLS).</summary>
    public static bool IsSecure(Uri url) => url.Scheme.Equals("wss", StringComparison.OrdinalIgnoreCase);

    /// <summary>The request path: the URL's own path (if any) joined with <c>/leafnode</c>, as nats-server ≥ 2.10 builds it.</summary>
    public static string RequestPath(Uri url)
    {
        var own = url.AbsolutePath.Trim('/');
        return own.Length == 0 ? LeafPath : "/" + own + LeafPath;
    }

    /// <summary>The upgrade request for <paramref name="url"/> with the client's <paramref name="key"/>.</summary>
    public static byte[] BuildRequest(Uri url, string key, bool compress)
    {
        var request = new StringBuilder()
            .Append("GET ").Append(RequestPath(url)).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(url.Authority).Append("\r\n")
            .Append("Upgrade: websocket\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n")
            .Append("Sec-WebSocket-Version: 13\r\n");
        if (compress)
        {
            request.Append("Sec-WebSocket-Extensions: ").Append(DeflateOffer).Append("\r\n");
        }
        return Encoding.ASCII.GetBytes(request.Append("\r\n").ToString());
    }

    /// <summary>RFC 6455's Sec-WebSocket-Accept for a key.</summary>
    public static string AcceptKey(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));

    /// <summary>
    /// Upgrades <paramref name="transport"/> (plain or TLS, connected to <paramref name="url"/>'s
    /// host) and returns the binary message stream over it, which owns the transport.
    /// Throws <see cref="IOException"/> with nats-server's reasons ("invalid websocket
    /// connection", "compression negotiation error") when the answer is not a proper 101.
    /// </summary>
    /// <returns>The stream, and whether compression was agreed.</returns>
    public static async Task<(Stream Stream, bool Compressed)> UpgradeAsync(Stream transport, Uri url, bool compress, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(SecureRandom.GetBytes(16));
        await transport.WriteAsync(BuildRequest(url, key, compress), cancellationToken).ConfigureAwait(false);
        await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
        var head = await ReadHeadAsync(transport, cancellationToken).ConfigureAwait(false);
        var compressed = CheckResponse(head, key, compress);
        var webSocket = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions
        {
            IsServer = false,
            // The leaf protocol has its own PING/PONG.
            KeepAliveInterval = TimeSpan.Zero,
            DangerousDeflateOptions = compressed ? new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false } : null,
        });
        return (new WebSocketErrorStream(WebSocketStream.Create(webSocket, WebSocketMessageType.Binary, ownsWebSocket: true)), compressed);
    }

    /// <summary>
    /// nats-server's checks of the answer: 101, <c>Upgrade: websocket</c>, <c>Connection: upgrade</c>
    /// and the accept key; with compression offered, a server that does not take it turns it off,
    /// one that takes it with context takeover is an error. Returns whether compression is on.
    /// </summary>
    public static bool CheckResponse(string head, string key, bool compress)
    {
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        var headers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                var name = line[..colon].Trim();
                if (!headers.TryGetValue(name, out var values))
                {
                    headers[name] = values = [];
                }
                values.Add(line[(colon + 1)..].Trim());
            }
        }
        string First(string name) => headers.TryGetValue(name, out var values) ? values[0] : "";
        if (status.Length < 2 || !status[0].StartsWith("HTTP/", StringComparison.Ordinal) || status[1] != "101"
            || !First("Upgrade").Equals("websocket", StringComparison.OrdinalIgnoreCase)
            || !First("Connection").Equals("upgrade", StringComparison.OrdinalIgnoreCase)
            || First("Sec-WebSocket-Accept") != AcceptKey(key))
        {
            throw new IOException("invalid websocket connection");
        }
        if (!compress)
        {
            return false;
        }
        // nats-server's wsPMCExtensionSupport: the first permessage-deflate extension and its parameters.
        foreach (var extension in headers.GetValueOrDefault("Sec-WebSocket-Extensions", []).SelectMany(v => v.Split(',')))
        {
            var parts = extension.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !parts[0].Equals("permessage-deflate", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var noContextTakeover = parts.Contains("server_no_context_takeover", StringComparer.OrdinalIgnoreCase)
                && parts.Contains("client_no_context_takeover", StringComparer.OrdinalIgnoreCase);
            return noContextTakeover ? true : throw new IOException("compression negotiation error");
        }
        return false;
    }

    /// <summary>Reads the answer's head up to its blank line, byte by byte so nothing after it (the first frame) is consumed.</summary>
    private static async Task<string> ReadHeadAsync(Stream transport, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxResponseHead];
        var filled = 0;
        while (filled < buffer.Length)
        {
            if (await transport.ReadAsync(buffer.AsMemory(filled, 1), cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("connection closed during the websocket upgrade");
            }
            filled++;
            if (filled >= 4 && buffer.AsSpan(filled - 4, 4).SequenceEqual("\r\n\r\n"u8))
            {
                return Encoding.Latin1.GetString(buffer, 0, filled - 4);
            }
        }
        throw new IOException("websocket upgrade answer too long");
    }
}
