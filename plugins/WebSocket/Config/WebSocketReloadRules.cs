using Nats.Core.Plugins;

namespace Nats.WebSocket.Config;

/// <summary>
/// What a reload may change in <c>websocket {}</c>, by nats-server's rule: only the TLS
/// certificate set (its <c>reload.go</c> compares the block with the TLS config taken out,
/// keeping <c>verify_and_map</c> and <c>pinned_certs</c>). Everything else needs a restart, and
/// the rejection names the option.
/// </summary>
internal static class WebSocketReloadRules
{
    private static readonly (string Name, Func<WebSocketOptions, object?> Value)[] Fixed =
    [
        ("host", o => o.Host),
        ("port", o => o.Port),
        ("advertise", o => o.Advertise),
        ("no_tls", o => o.NoTls),
        ("same_origin", o => o.SameOrigin),
        ("allowed_origins", o => o.AllowedOrigins),
        ("compression", o => o.Compression),
        ("handshake_timeout", o => o.HandshakeTimeout),
        ("jwt_cookie", o => o.JwtCookie),
        ("user_cookie", o => o.UsernameCookie),
        ("pass_cookie", o => o.PasswordCookie),
        ("token_cookie", o => o.TokenCookie),
        ("no_auth_user", o => o.NoAuthUser),
        ("authorization.user", o => o.Username),
        ("authorization.password", o => o.Password),
        ("authorization.token", o => o.Token),
        ("authorization.timeout", o => o.AuthTimeoutSeconds),
        ("headers", o => string.Join(", ", o.Headers.Select(h => $"{h.Key}: {h.Value}"))),
        ("ping_interval", o => o.PingInterval),
        ("tls.verify_and_map", o => o.Tls?.VerifyAndMap ?? false),
        ("tls.pinned_certs", o => o.Tls?.PinnedCerts ?? []),
    ];

    /// <summary>Reports on <paramref name="validation"/> every change that cannot be made live (the TLS block: <see cref="ListenerTlsReload"/>).</summary>
    public static void Check(WebSocketOptions current, WebSocketOptions proposed, ReloadValidation validation)
    {
        foreach (var (name, value) in Fixed)
        {
            var before = value(current);
            var after = value(proposed);
            if (!SameValue(before, after))
            {
                // The secrets are compared by value but never printed.
                var secret = name is "authorization.password" or "authorization.token";
                validation.NotReloadable($"websocket.{name}", secret ? "[REDACTED]" : before, secret ? "[REDACTED]" : after);
            }
        }
    }

    private static bool SameValue(object? a, object? b) => (a, b) switch
    {
        (IEnumerable<string> x, IEnumerable<string> y) => x.SequenceEqual(y),
        _ => Equals(a, b),
    };
}
