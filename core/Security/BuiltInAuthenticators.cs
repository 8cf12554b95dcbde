using Nats.Core.Config;
using Nats.Core.Plugins;

namespace Nats.Core.Security;

/// <summary>Token authentication (<c>authorization { token }</c>, <c>--auth</c>).</summary>
internal sealed class TokenAuthenticator(string token, PermissionsConfig? permissions, BcryptWorker passwords) : IAuthenticator
{
    public string Name => "token";

    public async ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        var presented = context.Connect.Token;
        if (string.IsNullOrEmpty(presented))
        {
            return AuthResult.NotMine;
        }
        return await passwords.VerifyAsync(presented, token, cancellationToken).ConfigureAwait(false)
            ? AuthResult.Accept(null, null, permissions)
            : AuthResult.Deny("invalid token");
    }
}

/// <summary>User and password authentication (plain or bcrypt passwords).</summary>
internal sealed class UserPasswordAuthenticator : IAuthenticator
{
    private readonly Dictionary<string, UserConfig> _users;
    private readonly BcryptWorker _passwords;
    private readonly Func<UserConfig, PermissionsConfig?> _permissionsOf;

    public UserPasswordAuthenticator(IEnumerable<UserConfig> users, BcryptWorker passwords, Func<UserConfig, PermissionsConfig?> permissionsOf)
    {
        _users = new Dictionary<string, UserConfig>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            _users[user.Username] = user;
        }
        _passwords = passwords;
        _permissionsOf = permissionsOf;
    }

    public string Name => "user";

    public UserConfig? Find(string username) => _users.GetValueOrDefault(username);

    public async ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        var username = context.Connect.Username;
        if (string.IsNullOrEmpty(username) || !_users.TryGetValue(username, out var user))
        {
            return AuthResult.NotMine;
        }
        if (!ConnectionTypes.Allowed(user.AllowedConnectionTypes, context))
        {
            return AuthResult.Deny($"connection type {context.ConnectionType} not allowed for user \"{username}\"");
        }
        var ok = await _passwords.VerifyAsync(context.Connect.Password ?? "", user.Password, cancellationToken).ConfigureAwait(false);
        return ok
            ? AuthResult.Accept(user.Account, user.Username, _permissionsOf(user))
            : AuthResult.Deny($"invalid password for user \"{username}\"");
    }
}

/// <summary>NKey authentication: the client signs the INFO nonce with its seed.</summary>
internal sealed class NKeyAuthenticator : IAuthenticator
{
    private readonly Dictionary<string, NKeyUserConfig> _users;
    private readonly Func<NKeyUserConfig, PermissionsConfig?> _permissionsOf;

    public NKeyAuthenticator(IEnumerable<NKeyUserConfig> users, Func<NKeyUserConfig, PermissionsConfig?> permissionsOf)
    {
        _users = new Dictionary<string, NKeyUserConfig>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            _users[user.PublicKey] = user;
        }
        _permissionsOf = permissionsOf;
    }

    public string Name => "nkey";

    public NKeyUserConfig? Find(string publicKey) => _users.GetValueOrDefault(publicKey);

    public ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        var key = context.Connect.NKey;
        if (string.IsNullOrEmpty(key) || !_users.TryGetValue(key, out var user))
        {
            return ValueTask.FromResult(AuthResult.NotMine);
        }
        if (!ConnectionTypes.Allowed(user.AllowedConnectionTypes, context))
        {
            return ValueTask.FromResult(AuthResult.Deny($"connection type {context.ConnectionType} not allowed for nkey {key}"));
        }
        if (context.Nonce is null || string.IsNullOrEmpty(context.Connect.Signature) ||
            NonceSignature.Verify(key, System.Text.Encoding.ASCII.GetBytes(context.Nonce), context.Connect.Signature) != NonceSignatureResult.Verified)
        {
            return ValueTask.FromResult(AuthResult.Deny($"signature verification failed for nkey {key}"));
        }
        return ValueTask.FromResult(AuthResult.Accept(user.Account, key, _permissionsOf(user)));
    }
}

/// <summary>The <c>allowed_connection_types</c> check.</summary>
internal static class ConnectionTypes
{
    public static bool Allowed(List<string> allowed, ConnectContext context) =>
        allowed.Count == 0 || allowed.Exists(t => string.Equals(t, context.ConnectionType, StringComparison.OrdinalIgnoreCase));
}
