using System.Net;
using System.Security.Cryptography.X509Certificates;
using Nats.Core.Config;
using Nats.Core.Protocol;

namespace Nats.Core.Plugins;

/// <summary>What an authenticator sees of a connection that sent CONNECT.</summary>
public sealed class ConnectContext
{
    /// <summary>The CONNECT fields (user, pass, auth_token, nkey, sig, jwt, name…).</summary>
    public required ConnectOptions Connect { get; init; }

    /// <summary>The nonce sent in INFO, which nkey and JWT users sign; null when none was sent.</summary>
    public string? Nonce { get; init; }

    /// <summary>The client certificate from the TLS handshake, when one was presented.</summary>
    public X509Certificate2? PeerCertificate { get; init; }

    /// <summary>The connection kind.</summary>
    public ConnectionKind Kind { get; init; } = ConnectionKind.Client;

    /// <summary>The peer's address.</summary>
    public IPEndPoint? RemoteEndPoint { get; init; }

    /// <summary>
    /// When the kernel checks a connected client again (a reload, an account update: <see
    /// cref="NatsServer.ReauthorizeClients"/>), the authorization the connection holds, with the
    /// <see cref="AuthResult.Scheme"/> that granted it; null for a CONNECT. An authenticator whose
    /// grant came from a remote party (auth callout) confirms it instead of asking again, as
    /// nats-server does not call the service back for connected clients.
    /// </summary>
    public AuthResult? Current { get; init; }

    /// <summary>The nats-server name of the connection type, as used by <c>allowed_connection_types</c>.</summary>
    public string ConnectionType => Kind.ConnectionType;

    /// <summary>The kind of credential CONNECT carries (for the log when no scheme took it): jwt, nkey, user, token or none.</summary>
    public string OfferedCredential =>
        !string.IsNullOrEmpty(Connect.Jwt) ? "jwt" :
        !string.IsNullOrEmpty(Connect.NKey) ? "nkey" :
        !string.IsNullOrEmpty(Connect.Username) ? "user" :
        !string.IsNullOrEmpty(Connect.Token) ? "token" : "none";

    /// <summary>True when CONNECT carries no credential of any kind.</summary>
    public bool HasNoCredentials =>
        string.IsNullOrEmpty(Connect.Username) && string.IsNullOrEmpty(Connect.Password) &&
        string.IsNullOrEmpty(Connect.Token) && string.IsNullOrEmpty(Connect.NKey) &&
        string.IsNullOrEmpty(Connect.Jwt);
}

/// <summary>An authenticator's verdict.</summary>
public enum AuthDecision
{
    /// <summary>The credentials are not of this scheme; ask the next authenticator.</summary>
    NotMine,

    /// <summary>The credentials are of this scheme and wrong: the connection is refused.</summary>
    Denied,

    /// <summary>The connection is admitted.</summary>
    Accepted,
}

/// <summary>The outcome of <see cref="IAuthenticator.AuthenticateAsync"/>.</summary>
public sealed class AuthResult
{
    /// <summary>Shared "not my scheme" result.</summary>
    public static readonly AuthResult NotMine = new() { Decision = AuthDecision.NotMine };

    /// <summary>The verdict.</summary>
    public AuthDecision Decision { get; private init; }

    /// <summary>Why access was denied (logged, never sent to the client).</summary>
    public string? Reason { get; private init; }

    /// <summary>The scheme that decided (the authenticator's <see cref="IAuthenticator.Name"/>), for the log.</summary>
    public string? Scheme { get; private init; }

    /// <summary>Account to bind the connection to; null for the global account.</summary>
    public string? Account { get; private init; }

    /// <summary>The user's label for logs and monitoring.</summary>
    public string? User { get; private init; }

    /// <summary>Permissions to enforce; null for none.</summary>
    public PermissionsConfig? Permissions { get; private init; }

    /// <summary>When the authorization ends (the connection is closed then); null for never.</summary>
    public DateTimeOffset? Expires { get; private init; }

    /// <summary>
    /// The user's limits (subscriptions, payload, data). The connection gets the smallest of
    /// these, its account's <see cref="Accounts.Account.Limits"/> and the server's options;
    /// the account's max_connections is checked when the connection binds to it.
    /// </summary>
    public Accounts.UserLimits Limits { get; private init; } = Accounts.UserLimits.None;

    /// <summary>Refuses the connection.</summary>
    public static AuthResult Deny(string reason) => new() { Decision = AuthDecision.Denied, Reason = reason };

    /// <summary>
    /// This result, naming <paramref name="scheme"/> as the one that decided (the kernel names the
    /// authenticator otherwise; one that delegates to another scheme names it here).
    /// </summary>
    public AuthResult WithScheme(string scheme) => new()
    {
        Decision = Decision, Reason = Reason, Scheme = scheme, Account = Account, User = User,
        Permissions = Permissions, Expires = Expires, Limits = Limits,
    };

    /// <summary>Admits the connection.</summary>
    public static AuthResult Accept(string? account, string? user, PermissionsConfig? permissions = null, DateTimeOffset? expires = null, Accounts.UserLimits? limits = null) =>
        new() { Decision = AuthDecision.Accepted, Account = account, User = user, Permissions = permissions, Expires = expires, Limits = limits ?? Accounts.UserLimits.None };
}

/// <summary>
/// An authentication scheme. The kernel asks each registered authenticator in turn until
/// one accepts or denies; token, user/password and nkey are built-in authenticators and a
/// plugin adds its own the same way.
/// </summary>
/// <remarks>
/// Called off the I/O path: slow checks (bcrypt, an HTTP call) only delay the connection
/// being authenticated. Implementations must be thread-safe.
/// </remarks>
public interface IAuthenticator
{
    /// <summary>A short name for logs (for example <c>token</c> or <c>htpasswd</c>).</summary>
    string Name { get; }

    /// <summary>Decides on one connection.</summary>
    ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken);
}
