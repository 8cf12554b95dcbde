using System.Globalization;
using System.Text;

namespace Nats.WebSocket.Handshake;

/// <summary>
/// Why an upgrade was refused and what goes back on the wire: the HTTP status nats-server
/// answers with (its handler's <c>http.Error</c>, or Go's HTTP server for requests it cannot
/// parse), or nothing at all where nats-server just closes.
/// </summary>
public sealed record HandshakeRejection(int Status, string Reason, HandshakeRejection.Kind Source)
{
    /// <summary>Who in nats-server produces this answer (it decides the response's shape).</summary>
    public enum Kind
    {
        /// <summary>nats-server's <c>wsReturnHTTPError</c>: Go's <c>http.Error</c> plus <c>Sec-Websocket-Version: 13</c>.</summary>
        Handler,

        /// <summary>Go's HTTP server refusing a request it cannot parse, before nats-server sees it.</summary>
        Server,

        /// <summary>nats-server closes without an answer (data sent before the handshake completed).</summary>
        Silent,
    }

    internal static readonly HandshakeRejection HeadTooLarge = new(431, "request header too large", Kind.Server);

    internal static HandshakeRejection MalformedRequest(string reason) => new(400, reason, Kind.Server);

    internal static HandshakeRejection Handler(int status, string reason) => new(status, reason, Kind.Handler);

    internal static readonly HandshakeRejection DataBeforeHandshake =
        new(400, "client sent data before handshake is complete", Kind.Silent);

    /// <summary>The log line nats-server writes: <c>&lt;remote&gt; - websocket handshake error: &lt;reason&gt;</c>.</summary>
    public string LogText(string remote) => $"{remote} - websocket handshake error: {Reason}";

    /// <summary>The bytes to send before closing; empty for <see cref="Kind.Silent"/>.</summary>
    public byte[] ResponseBytes(DateTime now)
    {
        var text = StatusText(Status);
        switch (Source)
        {
            case Kind.Handler:
                var body = text + "\n";
                return Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {Status} {text}\r\n" +
                    "Content-Type: text/plain; charset=utf-8\r\n" +
                    "Sec-Websocket-Version: 13\r\n" +
                    "X-Content-Type-Options: nosniff\r\n" +
                    $"Date: {now.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture)}\r\n" +
                    $"Content-Length: {body.Length}\r\n" +
                    // Go would keep the connection for another request; we take only the upgrade.
                    "Connection: close\r\n" +
                    "\r\n" + body);
            case Kind.Server:
                // Go's net/http: its badRequestError texts go into the status line and body
                // ("400 Bad Request: missing required Host header"); other parse errors do not.
                var status = IsGoBadRequestError(Reason) ? $"{Status} {text}: {Reason}" : $"{Status} {text}";
                return Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n{status}");
            default:
                return [];
        }
    }

    private static bool IsGoBadRequestError(string reason) =>
        reason is "missing required Host header" or "too many Host headers" or "unsupported protocol version";

    private static string StatusText(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Error",
    };
}
