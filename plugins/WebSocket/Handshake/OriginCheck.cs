using Nats.Core.Connections;
using Nats.WebSocket.Config;

namespace Nats.WebSocket.Handshake;

/// <summary>nats-server's <c>checkOrigin</c>: same origin and/or an allowed list; no Origin header is always fine.</summary>
internal static class OriginCheck
{
    /// <summary>Null when allowed, else the reason (as nats-server words it).</summary>
    public static string? Problem(HttpUpgradeRequest request, HandshakePolicy policy, bool isTls)
    {
        var checkSame = policy.Options.SameOrigin;
        var listEmpty = policy.AllowedOrigins.Count == 0;
        if (!checkSame && listEmpty)
        {
            return null;
        }
        var origin = request.Get("Origin");
        if (origin.Length == 0)
        {
            origin = request.Get("Sec-Websocket-Origin");
        }
        if (origin.Length == 0)
        {
            // RFC 6455 1.6: non-browser clients need not send one.
            return null;
        }
        if (!AllowedOrigin.TryParse(origin, out var parsed))
        {
            return $"parse \"{origin}\": invalid URI for request";
        }
        if (checkSame)
        {
            if (!AllowedOrigin.TrySplitHostPort(request.Get("Host"), isTls, out var host, out var port))
            {
                return $"address {request.Get("Host")}: too many colons in address";
            }
            var scheme = isTls ? "https" : "http";
            if (parsed.Host != host || parsed.Port != port || !parsed.Scheme.Equals(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return "not same origin";
            }
        }
        if (!listEmpty)
        {
            var allowed = false;
            foreach (var candidate in policy.AllowedOrigins)
            {
                // nats-server compares the scheme exactly and the host lower-cased.
                if (candidate.Host == parsed.Host && candidate.Scheme == parsed.Scheme && candidate.Port == parsed.Port)
                {
                    allowed = true;
                    break;
                }
            }
            if (!allowed)
            {
                return "not in the allowed list";
            }
        }
        return null;
    }
}
