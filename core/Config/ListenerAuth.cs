using Nats.Core.Connections;

namespace Nats.Core.Config;

/// <summary>
/// The authorization of a plugin's client listener (<c>mqtt {}</c>, <c>websocket {}</c>): its
/// <c>authorization</c> block as nats-server's <c>parseSimpleAuth</c> reads it (user, password,
/// token, timeout) and its <c>no_auth_user</c>, the checks nats-server's
/// <c>validateMQTTOptions</c>/<c>validateWebsocketOptions</c> make of them against the server's
/// users, and the kernel listener options that enforce them. One place, so every listener
/// reads, checks and applies the same block the same way.
/// </summary>
public sealed record ListenerAuth
{
    /// <summary>No block, no <c>no_auth_user</c>: the server's own authorization applies.</summary>
    public static ListenerAuth None { get; } = new();

    /// <summary><c>authorization.user</c> (alias <c>username</c>); empty when not set.</summary>
    public string Username { get; init; } = "";

    /// <summary><c>authorization.password</c> (alias <c>pass</c>); empty when not set.</summary>
    public string Password { get; init; } = "";

    /// <summary><c>authorization.token</c>; empty when not set.</summary>
    public string Token { get; init; } = "";

    /// <summary><c>authorization.timeout</c> in seconds; 0 keeps the server's auth timeout.</summary>
    public double TimeoutSeconds { get; init; }

    /// <summary>The listener's <c>no_auth_user</c>; empty when not set.</summary>
    public string NoAuthUser { get; init; } = "";

    /// <summary>
    /// Reads an <c>authorization</c> (or <c>authentication</c>) block over this one, as
    /// nats-server's <c>parseSimpleAuth</c>: user, password, token, timeout, nothing else (no
    /// users list). A timeout of another type than a number leaves 1 second, as Go does.
    /// </summary>
    /// <exception cref="ConfigException">The value is not a map, or has an unknown field.</exception>
    public ListenerAuth WithBlock(ConfValue block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var auth = this;
        foreach (var item in block.AsMap())
        {
            auth = item.Key.ToLowerInvariant() switch
            {
                "user" or "username" => auth with { Username = item.Value.AsString() },
                "pass" or "password" => auth with { Password = item.Value.AsString() },
                "token" => auth with { Token = item.Value.AsString() },
                "timeout" => auth with { TimeoutSeconds = item.Value is ConfInteger or ConfFloat ? item.Value.AsDouble() : 1 },
                _ when item.Value.IsUsedAsVariable => auth,
                _ => throw new ConfigException(item.KeyPosition, $"unknown field \"{item.Key}\""),
            };
        }
        return auth;
    }

    /// <summary>
    /// Why this listener's authorization cannot run with the server's (nats-server's texts,
    /// <paramref name="listener"/> naming it: <c>mqtt</c>, <c>websocket</c>), or null: a
    /// <c>no_auth_user</c> that is no user, or a user or token of its own beside the server's
    /// users and nkeys.
    /// </summary>
    public string? FindProblem(AuthOptions server, string listener)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (server.NoAuthUserProblem(NoAuthUser) is { } noAuthUserProblem)
        {
            return noAuthUserProblem;
        }
        if (server.Users.Count > 0 || server.NKeys.Count > 0)
        {
            if (Username.Length > 0)
            {
                return $"{listener} authentication username not compatible with presence of users/nkeys";
            }
            if (Token.Length > 0)
            {
                return $"{listener} authentication token not compatible with presence of users/nkeys";
            }
        }
        return null;
    }

    /// <summary>
    /// The kernel options of a client listener whose TLS (if any) runs in the plugin's own
    /// transport: this block's user or token checked by an auth service of its own (else the
    /// server's), its <c>no_auth_user</c>, its timeout, and <paramref name="logPrefix"/> before
    /// its connections in logs.
    /// </summary>
    public ClientListenerOptions ToClientListenerOptions(NatsServer server, string logPrefix)
    {
        ArgumentNullException.ThrowIfNull(server);
        TimeSpan? timeout = TimeoutSeconds > 0 ? TimeSpan.FromSeconds(TimeoutSeconds) : null;
        return new ClientListenerOptions
        {
            TlsSet = null,
            NoAuthUser = NoAuthUser.Length > 0 ? NoAuthUser : null,
            Auth = Username.Length > 0 || Token.Length > 0
                ? server.CreateAuthService(new AuthOptions
                {
                    Username = Username.Length > 0 ? Username : null,
                    Password = Password.Length > 0 ? Password : null,
                    Token = Token.Length > 0 ? Token : null,
                    Timeout = timeout ?? server.Options.Auth.Timeout,
                })
                : null,
            AuthTimeout = timeout,
            LogPrefix = logPrefix,
        };
    }
}
