using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Connections;

namespace Nats.WebSocket.Config;

/// <summary>
/// Reads the <c>websocket {}</c> block as nats-server's <c>parseWebsocket</c> does (same keys,
/// aliases and texts), then checks it as <c>validateWebsocketOptions</c> does against the rest
/// of the server's options. The first problem throws a <see cref="ConfigException"/> naming
/// the option and its position.
/// </summary>
public static class WebSocketOptionsParser
{
    /// <summary>Keys of the top-level config that make the server trust operator JWTs.</summary>
    private static readonly string[] TrustKeys = ["operator", "operators", "trusted", "trusted_keys", "trusted_operators"];

    /// <summary>Parses and validates the section (null when absent).</summary>
    /// <param name="section">The <c>websocket</c> value, or null.</param>
    /// <param name="server">The server's options, for the checks against users and trusted keys; null skips them.</param>
    public static WebSocketOptions Parse(ConfValue? section, ServerOptions? server = null)
    {
        if (section is null)
        {
            return WebSocketOptions.None;
        }
        if (section is not ConfMap map)
        {
            throw new ConfigException(section.Position, $"Expected websocket to be a map, got {GoText.TypeName(section)}");
        }
        var options = WebSocketOptions.None;
        foreach (var entry in map)
        {
            options = ParseEntry(options, entry);
        }
        if (server is not null && options.Enabled)
        {
            Validate(options, server, map.Position);
        }
        return options;
    }

    private static WebSocketOptions ParseEntry(WebSocketOptions options, ConfEntry entry)
    {
        var value = entry.Value;
        switch (entry.Key.ToLowerInvariant())
        {
            case "listen":
                return Listen(options, entry);
            case "port":
                return options with { Port = value.AsInt() };
            case "host" or "net":
                return options with { Host = value.AsString() };
            case "advertise":
                return options with { Advertise = value.AsString() };
            case "no_tls":
                return options with { NoTls = value.AsBool() };
            case "tls":
                return options with { Tls = TlsOptionsParser.Parse(value, isClientContext: true) };
            case "same_origin":
                return options with { SameOrigin = value.AsBool() };
            case "allowed_origins" or "allowed_origin" or "allow_origins" or "allow_origin" or "origins" or "origin":
                return options with { AllowedOrigins = StringArray(value, "allowed origins") };
            case "handshake_timeout":
                return options with { HandshakeTimeout = HandshakeTimeout(entry) };
            case "compress" or "compression":
                return options with { Compression = value.AsBool() };
            case "authorization" or "authentication":
                return options with { Auth = options.Auth.WithBlock(value) };
            case "jwt_cookie":
                return options with { JwtCookie = value.AsString() };
            case "user_cookie":
                return options with { UsernameCookie = value.AsString() };
            case "pass_cookie":
                return options with { PasswordCookie = value.AsString() };
            case "token_cookie":
                return options with { TokenCookie = value.AsString() };
            case "no_auth_user":
                return options with { NoAuthUser = value.AsString() };
            case "headers":
                return options with { Headers = Headers(entry) };
            case "ping_interval":
                return options with { PingInterval = value.AsDuration() };
            default:
                if (value.IsUsedAsVariable)
                {
                    return options;
                }
                throw new ConfigException(entry.KeyPosition, $"unknown field \"{entry.Key}\"");
        }
    }

    // nats-server's parseListen: a port alone, or host:port.
    private static WebSocketOptions Listen(WebSocketOptions options, ConfEntry entry) =>
        HostPort.TryParse(entry.Value, out var listen, out var error)
            ? options with { Host = listen.Host, Port = listen.Port }
            : throw new ConfigException(entry.KeyPosition, error!);

    // nats-server: an integer is seconds, a string a Go duration; anything else is refused.
    private static TimeSpan HandshakeTimeout(ConfEntry entry) => entry.Value switch
    {
        ConfInteger or ConfString => entry.Value.AsDuration(),
        _ => throw new ConfigException(entry.KeyPosition, $"error parsing handshake timeout: unsupported type {GoText.TypeName(entry.Value)}"),
    };

    private static IReadOnlyList<KeyValuePair<string, string>> Headers(ConfEntry entry)
    {
        if (entry.Value is not ConfMap map)
        {
            throw new ConfigException(entry.KeyPosition, $"error parsing headers: unsupported type {GoText.TypeName(entry.Value)}");
        }
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in map)
        {
            if (header.Value is not ConfString text)
            {
                throw new ConfigException(header.KeyPosition, $"error parsing header key {header.Key}: unsupported type {GoText.TypeName(header.Value)}");
            }
            headers.Add(new(header.Key, text.Value));
        }
        return headers;
    }

    // nats-server's parseStringArray: one string, or an array of strings.
    private static IReadOnlyList<string> StringArray(ConfValue value, string what) => value switch
    {
        ConfString single => [single.Value],
        ConfList list => [.. list.Select(item => item is ConfString s
            ? s.Value
            : throw new ConfigException(item.Position, $"error parsing {what}: unsupported type in array {GoText.TypeName(item)}"))],
        _ => throw new ConfigException(value.Position, $"error parsing {what}: unsupported type {GoText.TypeName(value)}"),
    };

    /// <summary>nats-server's <c>validateWebsocketOptions</c>, for an enabled listener.</summary>
    private static void Validate(WebSocketOptions options, ServerOptions server, ConfPosition at)
    {
        if (FindProblem(options, server) is { } problem)
        {
            throw new ConfigException(at, problem);
        }
    }

    /// <summary>The first reason <paramref name="options"/> cannot run with <paramref name="server"/>'s options, or null.</summary>
    public static string? FindProblem(WebSocketOptions options, ServerOptions server)
    {
        if (!options.Enabled)
        {
            return null;
        }
        if (options.Tls is not { IsEnabled: true } && !options.NoTls)
        {
            return "websocket requires TLS configuration";
        }
        foreach (var origin in options.AllowedOrigins)
        {
            if (AllowedOrigin.Problem(origin) is { } problem)
            {
                return problem;
            }
        }
        if (options.Auth.FindProblem(server.Auth, "websocket") is { } authProblem)
        {
            return authProblem;
        }
        if (options.JwtCookie.Length > 0 && !TrustKeys.Any(server.Sections.ContainsKey))
        {
            return $"trusted operators or trusted keys configuration is required for JWT authentication via cookie \"{options.JwtCookie}\"";
        }
        foreach (var (key, _) in options.Headers)
        {
            var lower = key.ToLowerInvariant();
            if (lower is "host" or "content-length" or "connection" or "upgrade" or "nats-no-masking")
            {
                return $"websocket: invalid header \"{key}\" not allowed";
            }
            if (lower.StartsWith("sec-websocket-", StringComparison.Ordinal))
            {
                return $"websocket: invalid header \"{key}\", \"Sec-WebSocket-\" prefix not allowed";
            }
        }
        return null;
    }
}
