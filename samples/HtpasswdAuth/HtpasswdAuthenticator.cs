using Nats.Core.Plugins;
using Nats.Core.Security;

namespace HtpasswdAuth;

/// <summary>
/// Admits clients whose CONNECT user is in the htpasswd file and whose password matches.
/// Users it does not know are left to the other authenticators (built-in users, tokens…).
/// </summary>
/// <remarks>
/// bcrypt runs on a <see cref="BcryptWorker"/> of the plugin's own (a few dedicated threads with a
/// bounded queue and a cache of successes), never on an I/O or thread-pool thread: a flood of
/// wrong passwords then only delays logins instead of stalling the server.
/// </remarks>
public sealed class HtpasswdAuthenticator(IReadOnlyDictionary<string, HtpasswdUser> users, BcryptWorker bcrypt) : IAuthenticator
{
    private volatile IReadOnlyDictionary<string, HtpasswdUser> _users = users;

    /// <inheritdoc />
    public string Name => "htpasswd";

    /// <summary>The users in force; a reload replaces them as a whole.</summary>
    public IReadOnlyDictionary<string, HtpasswdUser> Users
    {
        get => _users;
        set => _users = value;
    }

    /// <inheritdoc />
    public async ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        // Routes, gateways and leaf nodes have their own credentials; this file is for clients.
        if (!context.Kind.IsClient)
        {
            return AuthResult.NotMine;
        }
        if (context.Connect.Username is not { Length: > 0 } name || !_users.TryGetValue(name, out var user))
        {
            return AuthResult.NotMine;
        }
        var ok = await bcrypt.VerifyAsync(context.Connect.Password, user.Password, cancellationToken).ConfigureAwait(false);
        return ok
            ? AuthResult.Accept(user.Account, user.Name, user.Permissions)
            : AuthResult.Deny($"htpasswd: wrong password for user \"{name}\"");
    }
}
