using Nats.Core.Connections;
namespace Nats.WebSocket.Config;

/// <summary>
/// An origin as nats-server compares them: scheme, lower-cased host, and port (80/443 by
/// scheme when absent). Used for <c>allowed_origins</c> entries and for request Origin headers.
/// </summary>
public readonly record struct AllowedOrigin(string Scheme, string Host, string Port)
{
    /// <summary>Parses an absolute http(s) URL the way Go's <c>url.ParseRequestURI</c> plus <c>wsGetHostAndPort</c> do.</summary>
    public static bool TryParse(string text, out AllowedOrigin origin)
    {
        origin = default;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return false;
        }
        // Go's url.Parse lower-cases the scheme.
        var scheme = text[..schemeEnd].ToLowerInvariant();
        var rest = text[(schemeEnd + 3)..];
        var slash = rest.IndexOfAny(['/', '?', '#']);
        var authority = slash < 0 ? rest : rest[..slash];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }
        if (!TrySplitHostPort(authority, scheme.Equals("https", StringComparison.OrdinalIgnoreCase), out var host, out var port))
        {
            return false;
        }
        origin = new AllowedOrigin(scheme, host, port);
        return true;
    }

    /// <summary>nats-server's <c>validateWebsocketOptions</c> check of one <c>allowed_origins</c> entry; null when fine.</summary>
    public static string? Problem(string text)
    {
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || text.AsSpan(0, schemeEnd).ContainsAny(" /?#"))
        {
            return $"unable to parse allowed origin: parse \"{text}\": invalid URI for request";
        }
        var scheme = text[..schemeEnd].ToLowerInvariant();
        if (scheme != "http" && scheme != "https")
        {
            return $"unable to parse allowed origin \"{text}\": allowed origins must be absolute URLs with http or https scheme";
        }
        if (!TryParse(text, out var origin))
        {
            return $"unable to parse allowed origin: address {text[(schemeEnd + 3)..]}: invalid port";
        }
        if (origin.Host.Length == 0)
        {
            return $"unable to parse allowed origin \"{text}\": host is required";
        }
        return null;
    }

    /// <summary>
    /// Go's <c>net.SplitHostPort</c> with nats-server's fallback: no port means 80, or 443 for
    /// TLS. The host is lower-cased (brackets of IPv6 literals removed).
    /// </summary>
    public static bool TrySplitHostPort(string hostPort, bool tls, out string host, out string port)
    {
        host = "";
        port = "";
        string rawHost;
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            rawHost = hostPort[1..close];
            var after = hostPort[(close + 1)..];
            if (after.Length == 0)
            {
                port = tls ? "443" : "80";
            }
            else if (after[0] == ':' && after.IndexOf(':', 1) < 0)
            {
                port = after[1..];
            }
            else
            {
                return false;
            }
        }
        else
        {
            var colon = hostPort.LastIndexOf(':');
            if (colon < 0)
            {
                rawHost = hostPort;
                port = tls ? "443" : "80";
            }
            else if (hostPort.IndexOf(':') != colon)
            {
                return false;   // "too many colons"
            }
            else
            {
                rawHost = hostPort[..colon];
                port = hostPort[(colon + 1)..];
            }
        }
        host = rawHost.ToLowerInvariant();
        return true;
    }
}
