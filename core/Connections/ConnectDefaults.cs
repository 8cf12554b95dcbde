using Nats.Core.Protocol;

namespace Nats.Core.Connections;

/// <summary>
/// Credentials one connection brought outside the protocol (a WebSocket upgrade's cookies:
/// <c>jwt_cookie</c>, <c>user_cookie</c>, <c>pass_cookie</c>, <c>token_cookie</c>) that stand in
/// for the CONNECT fields the client leaves empty, as nats-server applies its websocket cookies
/// in <c>processConnect</c>. A field the CONNECT sets wins; a client that sends no CONNECT (a
/// <c>no_auth_user</c> login) uses none of them.
/// </summary>
/// <example>
/// <code>
/// var options = listenerOptions with { ConnectDefaults = new ConnectDefaults { Jwt = cookieJwt } };
/// await server.ServeClientAsync(stream, remote, kind, options);
/// </code>
/// </example>
public sealed record ConnectDefaults
{
    /// <summary>Stands in for CONNECT <c>jwt</c>.</summary>
    public string? Jwt { get; init; }

    /// <summary>Stands in for CONNECT <c>user</c>.</summary>
    public string? Username { get; init; }

    /// <summary>Stands in for CONNECT <c>pass</c>.</summary>
    public string? Password { get; init; }

    /// <summary>Stands in for CONNECT <c>auth_token</c>.</summary>
    public string? Token { get; init; }

    /// <summary>True when no field is set (nothing to apply).</summary>
    public bool IsEmpty => string.IsNullOrEmpty(Jwt) && string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password) && string.IsNullOrEmpty(Token);

    /// <summary>Fills the empty credential fields of a freshly parsed CONNECT (which it owns).</summary>
    internal void ApplyTo(ConnectOptions options)
    {
        if (string.IsNullOrEmpty(options.Jwt) && !string.IsNullOrEmpty(Jwt))
        {
            options.Jwt = Jwt;
        }
        if (string.IsNullOrEmpty(options.Username) && !string.IsNullOrEmpty(Username))
        {
            options.Username = Username;
        }
        if (string.IsNullOrEmpty(options.Password) && !string.IsNullOrEmpty(Password))
        {
            options.Password = Password;
        }
        if (string.IsNullOrEmpty(options.Token) && !string.IsNullOrEmpty(Token))
        {
            options.Token = Token;
        }
    }
}
