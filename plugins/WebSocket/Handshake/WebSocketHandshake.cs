using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Nats.WebSocket.Handshake;

/// <summary>
/// The server side of the RFC 6455 opening handshake, in nats-server's order of checks and
/// with its answers: 405 for a method other than GET, 400 for a bad Upgrade, Connection, key
/// or version, 403 for a refused origin, 404 for MQTT when MQTT is off; then a 101 with the
/// accept key, permessage-deflate when negotiated, and the configured extra headers.
/// </summary>
public static class WebSocketHandshake
{
    private static readonly byte[] Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    /// <summary>The outcome of <see cref="AcceptAsync"/>: an upgrade, or the rejection that was answered.</summary>
    public readonly record struct Result(WebSocketUpgrade? Upgrade, HandshakeRejection? Rejection);

    /// <summary>
    /// Reads the request from <paramref name="stream"/>, answers it, and returns what was
    /// negotiated. Rejections are answered (or not, as nats-server) before returning; the caller
    /// closes the stream then. Bound the time with <paramref name="cancellationToken"/>
    /// (the handshake timeout): a peer that trickles its request is cut there.
    /// </summary>
    /// <exception cref="EndOfStreamException">The peer closed before sending a whole request.</exception>
    public static async Task<Result> AcceptAsync(Stream stream, HandshakePolicy policy, bool isTls, CancellationToken cancellationToken)
    {
        var read = await HttpRequestReader.ReadAsync(stream, policy.MaxHeadBytes, cancellationToken).ConfigureAwait(false);
        var rejection = read.Rejection;
        WebSocketUpgrade? upgrade = null;
        if (read.Request is { } request)
        {
            (upgrade, rejection) = Evaluate(request, policy, isTls);
            if (upgrade is not null && read.ExtraBytes > 0)
            {
                (upgrade, rejection) = (null, HandshakeRejection.DataBeforeHandshake);
            }
            if (upgrade is not null)
            {
                var response = SwitchingProtocols(request.Get("Sec-Websocket-Key"), upgrade, policy);
                await stream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                return new(upgrade, null);
            }
        }
        var bytes = rejection!.ResponseBytes(DateTime.UtcNow);
        if (bytes.Length > 0)
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        return new(null, rejection);
    }

    /// <summary>Checks a parsed request (nats-server's <c>wsUpgrade</c> up to the hijack).</summary>
    public static (WebSocketUpgrade? Upgrade, HandshakeRejection? Rejection) Evaluate(HttpUpgradeRequest request, HandshakePolicy policy, bool isTls)
    {
        var path = request.Path;
        var kind = path.EndsWith("/leafnode", StringComparison.Ordinal) ? UpgradeKind.LeafNode
            : path.EndsWith("/mqtt", StringComparison.Ordinal) ? UpgradeKind.Mqtt
            : UpgradeKind.Client;
        if (kind == UpgradeKind.Mqtt && !policy.MqttEnabled)
        {
            return Reject(404, "mqtt websocket endpoint not enabled");
        }
        if (request.Method != "GET")
        {
            return Reject(405, "request method must be GET");
        }
        if (request.Get("Host").Length == 0)
        {
            return Reject(400, "'Host' missing in request");
        }
        if (!request.HeaderContains("Upgrade", "websocket"))
        {
            return Reject(400, "invalid value for header 'Upgrade'");
        }
        if (!request.HeaderContains("Connection", "Upgrade"))
        {
            return Reject(400, "invalid value for header 'Connection'");
        }
        var key = request.Get("Sec-Websocket-Key");
        if (key.Length == 0)
        {
            return Reject(400, "key missing");
        }
        if (!IsValidKey(key))
        {
            return Reject(400, "invalid websocket key");
        }
        if (!request.HeaderContains("Sec-Websocket-Version", "13"))
        {
            return Reject(400, "invalid version");
        }
        if (OriginCheck.Problem(request, policy, isTls) is { } originProblem)
        {
            return Reject(403, $"origin not allowed: {originProblem}");
        }
        var compress = policy.Options.Compression && PerMessageDeflateOffered(request);
        var upgrade = new WebSocketUpgrade
        {
            Kind = kind,
            Compression = compress,
            NoMasking = request.Get("Nats-No-Masking") == "true",
            ForwardedClientIp = request.Get("X-Forwarded-For") is { Length: > 0 } forwarded && IPAddress.TryParse(forwarded, out _) ? forwarded : null,
        };
        if (kind is UpgradeKind.Client or UpgradeKind.Mqtt)
        {
            upgrade = WithBrowserAndCookies(upgrade, request, policy);
        }
        return (upgrade, null);
    }

    /// <summary>RFC 6455 4.2.2: base64 of SHA-1 of the key and the protocol's GUID.</summary>
    public static string AcceptKey(string key)
    {
        var input = new byte[Encoding.ASCII.GetByteCount(key) + Guid.Length];
        var written = Encoding.ASCII.GetBytes(key, input);
        Guid.CopyTo(input, written);
        return Convert.ToBase64String(SHA1.HashData(input));
    }

    private static (WebSocketUpgrade?, HandshakeRejection?) Reject(int status, string reason) =>
        (null, HandshakeRejection.Handler(status, reason));

    // The key must be base64 of 16 bytes (nats-server 2.10+; 2.9 only checked presence).
    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return Convert.TryFromBase64String(key, decoded, out var length) && length == 16;
    }

    // nats-server's wsPMCExtensionSupport with checkPMCOnly: the offer's parameters do not
    // matter, since the answer always imposes no context takeover both ways.
    private static bool PerMessageDeflateOffered(HttpUpgradeRequest request) =>
        request.GetAll("Sec-Websocket-Extensions").Any(list => list.Split(',').Any(extension =>
            extension.Split(';').Any(p => p.Trim(' ', '\t').Equals("permessage-deflate", StringComparison.OrdinalIgnoreCase))));

    private static WebSocketUpgrade WithBrowserAndCookies(WebSocketUpgrade upgrade, HttpUpgradeRequest request, HandshakePolicy policy)
    {
        var agent = request.Get("User-Agent");
        if (agent.StartsWith("Mozilla/", StringComparison.Ordinal))
        {
            upgrade = upgrade with
            {
                Browser = true,
                // Real Safari says both "Version/" and "Safari/"; Chrome on macOS only the latter.
                NoCompressedFragments = upgrade.Compression && agent.Contains("Version/", StringComparison.Ordinal) && agent.Contains("Safari/", StringComparison.Ordinal),
            };
        }
        var options = policy.Options;
        foreach (var (name, value) in request.Cookies())
        {
            // Go's loop: the first matching name in this order wins for each cookie; the last cookie of a name wins.
            if (options.JwtCookie == name)
            {
                upgrade = upgrade with { CookieJwt = value };
            }
            else if (options.UsernameCookie == name)
            {
                upgrade = upgrade with { CookieUsername = value };
            }
            else if (options.PasswordCookie == name)
            {
                upgrade = upgrade with { CookiePassword = value };
            }
            else if (options.TokenCookie == name)
            {
                upgrade = upgrade with { CookieToken = value };
            }
        }
        return upgrade;
    }

    private static byte[] SwitchingProtocols(string key, WebSocketUpgrade upgrade, HandshakePolicy policy)
    {
        var response = new StringBuilder(256)
            .Append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
            .Append(AcceptKey(key)).Append("\r\n");
        if (upgrade.Compression)
        {
            response.Append("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n");
        }
        if (upgrade.NoMasking)
        {
            response.Append("Nats-No-Masking: true\r\n");
        }
        if (upgrade.Kind == UpgradeKind.Mqtt)
        {
            response.Append("Sec-Websocket-Protocol: mqtt\r\n");
        }
        response.Append(policy.RawHeaders).Append("\r\n");
        return Encoding.ASCII.GetBytes(response.ToString());
    }
}
