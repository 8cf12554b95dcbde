using Nats.Core.Config;

namespace Nats.WebSocket.Config;

/// <summary>
/// The <c>websocket {}</c> block, field for field as nats-server's <c>WebsocketOpts</c>.
/// Immutable and compared by value, so that a reload sees an unchanged section as no change.
/// </summary>
public sealed record WebSocketOptions
{
    /// <summary>No <c>websocket</c> block: the listener is off.</summary>
    public static readonly WebSocketOptions None = new();

    /// <summary><c>host</c>/<c>net</c> or the host of <c>listen</c>; nats-server's default is 0.0.0.0 once a port is set.</summary>
    public string Host { get; init; } = "";

    /// <summary><c>port</c> or the port of <c>listen</c>; 0 means off, -1 a random port.</summary>
    public int Port { get; init; }

    /// <summary><c>advertise</c>: host:port advertised to clients in <c>ws_connect_urls</c>.</summary>
    public string Advertise { get; init; } = "";

    /// <summary><c>no_tls</c>: allow running without <c>tls {}</c> (plain ws://).</summary>
    public bool NoTls { get; init; }

    /// <summary><c>tls {}</c>, or null.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary><c>same_origin</c>: the Origin header must match the request's Host.</summary>
    public bool SameOrigin { get; init; }

    /// <summary><c>allowed_origins</c> (aliases <c>allowed_origin</c>, <c>allow_origins</c>, <c>allow_origin</c>, <c>origins</c>, <c>origin</c>).</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary><c>compression</c>/<c>compress</c>: negotiate permessage-deflate when the client offers it.</summary>
    public bool Compression { get; init; }

    /// <summary><c>handshake_timeout</c>: time for TLS plus the HTTP upgrade; zero means not configured.</summary>
    public TimeSpan HandshakeTimeout { get; init; }

    /// <summary><c>jwt_cookie</c>: a cookie whose value stands for CONNECT's <c>jwt</c> when that is empty.</summary>
    public string JwtCookie { get; init; } = "";

    /// <summary><c>user_cookie</c>: a cookie whose value stands for CONNECT's <c>user</c>.</summary>
    public string UsernameCookie { get; init; } = "";

    /// <summary><c>pass_cookie</c>: a cookie whose value stands for CONNECT's <c>pass</c>.</summary>
    public string PasswordCookie { get; init; } = "";

    /// <summary><c>token_cookie</c>: a cookie whose value stands for CONNECT's <c>auth_token</c>.</summary>
    public string TokenCookie { get; init; } = "";

    /// <summary>The <c>authorization</c> block and <c>no_auth_user</c>, read, checked and applied as every client listener's.</summary>
    public ListenerAuth Auth { get; init; } = ListenerAuth.None;

    /// <summary><c>authorization { user }</c>: overrides the server's auth for websocket clients.</summary>
    public string Username { get => Auth.Username; init => Auth = Auth with { Username = value }; }

    /// <summary><c>authorization { password }</c>.</summary>
    public string Password { get => Auth.Password; init => Auth = Auth with { Password = value }; }

    /// <summary><c>authorization { token }</c>.</summary>
    public string Token { get => Auth.Token; init => Auth = Auth with { Token = value }; }

    /// <summary><c>authorization { timeout }</c> in seconds; 0 uses the server's <c>auth_timeout</c>.</summary>
    public double AuthTimeoutSeconds { get => Auth.TimeoutSeconds; init => Auth = Auth with { TimeoutSeconds = value }; }

    /// <summary><c>no_auth_user</c> for websocket clients.</summary>
    public string NoAuthUser { get => Auth.NoAuthUser; init => Auth = Auth with { NoAuthUser = value }; }

    /// <summary><c>headers {}</c>: extra headers on the 101 response (Strict-Transport-Security, say).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary><c>ping_interval</c> for websocket clients; zero uses the server's.</summary>
    public TimeSpan PingInterval { get; init; }

    /// <summary>True when a port is configured (the listener should run).</summary>
    public bool Enabled => Port != 0;

    /// <summary>nats-server's <c>authOverride</c>: the block's own credentials replace the server's for websocket clients.</summary>
    public bool AuthOverride => Username.Length > 0 || Token.Length > 0 || NoAuthUser.Length > 0;

    /// <summary>The host to listen on: nats-server's baseline puts 0.0.0.0 when a port is set without a host.</summary>
    public string EffectiveHost => Host.Length == 0 ? "0.0.0.0" : Host;

    /// <inheritdoc />
    public bool Equals(WebSocketOptions? other) =>
        other is not null
        && Host == other.Host && Port == other.Port && Advertise == other.Advertise && NoTls == other.NoTls
        && Equals(Tls, other.Tls) && SameOrigin == other.SameOrigin
        && AllowedOrigins.SequenceEqual(other.AllowedOrigins)
        && Compression == other.Compression && HandshakeTimeout == other.HandshakeTimeout
        && JwtCookie == other.JwtCookie && UsernameCookie == other.UsernameCookie
        && PasswordCookie == other.PasswordCookie && TokenCookie == other.TokenCookie
        && Auth == other.Auth
        && Headers.SequenceEqual(other.Headers) && PingInterval == other.PingInterval;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Host, Port, Tls, AllowedOrigins.Count, Compression, NoAuthUser);
}
