using Nats.Core.Config;
using Nats.Core.Plugins;

namespace Nats.Core.Security;

/// <summary>
/// Runs the authenticator chain for connections: built-in nkey, certificate-mapped users
/// (<c>tls-map</c>), user/password and token schemes from configuration, then every plugin
/// authenticator in plugin order; <c>authorization { chain: [...] }</c>
/// (<see cref="AuthOptions.Chain"/>) moves the named ones to the front, in its order. The first
/// authenticator that accepts or denies decides; when none recognises the credentials the
/// connection is refused. A client with no credentials becomes the <c>no_auth_user</c>.
/// </summary>
public sealed class AuthService
{
    private readonly IAuthenticator[] _chain;
    private readonly UserPasswordAuthenticator? _users;
    private readonly NKeyAuthenticator? _nkeys;
    private readonly string? _noAuthUser;
    private readonly Func<UserConfig, PermissionsConfig?> _userPermissions;
    private readonly Func<NKeyUserConfig, PermissionsConfig?> _nkeyPermissions;

    private readonly TlsMapAuthenticator? _tlsMap;

    /// <summary>Builds the chain from configuration and plugin authenticators.</summary>
    /// <param name="options">Users, nkeys, token, accounts.</param>
    /// <param name="pluginAuthenticators">Asked after the built-in schemes.</param>
    /// <param name="passwords">Verifies bcrypt passwords off the I/O threads.</param>
    /// <param name="tlsMap">Whether a connection's listener has <c>verify_and_map</c>: its users are
    /// then found from the client certificate instead of a user name and password.</param>
    public AuthService(AuthOptions options, IEnumerable<IAuthenticator> pluginAuthenticators, BcryptWorker passwords, Func<ConnectContext, bool>? tlsMap = null)
    {
        var accountDefaults = options.Accounts
            .Where(a => a.DefaultPermissions is not null)
            .ToDictionary(a => a.Name, a => a.DefaultPermissions, StringComparer.Ordinal);
        _userPermissions = u => u.Permissions ?? DefaultPermissions(u.Account);
        _nkeyPermissions = n => n.Permissions ?? DefaultPermissions(n.Account);
        // Users without permissions of their own take their account's default_permissions
        // (the binder already applied authorization-level defaults where nats-server does).
        PermissionsConfig? DefaultPermissions(string? account) =>
            account is not null && accountDefaults.TryGetValue(account, out var p) ? p : null;

        var chain = new List<IAuthenticator>();
        if (options.NKeys.Count > 0)
        {
            _nkeys = new NKeyAuthenticator(options.NKeys, _nkeyPermissions);
            chain.Add(_nkeys);
        }
        var users = new List<UserConfig>(options.Users);
        if (options.Username is not null)
        {
            users.Add(new UserConfig { Username = options.Username, Password = options.Password ?? "", Permissions = options.DefaultPermissions });
        }
        if (users.Count > 0)
        {
            // After nkeys and before passwords, where nats-server checks the certificate.
            if (tlsMap is not null)
            {
                _tlsMap = new TlsMapAuthenticator(users, _userPermissions, tlsMap);
                chain.Add(_tlsMap);
            }
            _users = new UserPasswordAuthenticator(users, passwords, _userPermissions);
            chain.Add(_users);
        }
        if (options.Token is not null)
        {
            chain.Add(new TokenAuthenticator(options.Token, options.DefaultPermissions, passwords));
        }
        chain.AddRange(pluginAuthenticators);
        _chain = [.. Order(chain, options.Chain)];
        _noAuthUser = options.NoAuthUser;
        Timeout = options.Timeout;
        NeedsNonce = options.NKeys.Count > 0 || _chain.OfType<INonceRequired>().Any();
    }

    /// <summary>True when clients must authenticate.</summary>
    public bool IsAuthRequired => _chain.Length > 0;

    /// <summary>True when a <c>no_auth_user</c> is configured.</summary>
    public bool HasNoAuthUser => _noAuthUser is not null;

    /// <summary>True when INFO must carry a nonce for clients to sign.</summary>
    public bool NeedsNonce { get; }

    /// <summary>How long a client has to send CONNECT.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The names of the authenticators, in the order they are asked.</summary>
    public IEnumerable<string> Names => _chain.Select(a => a.Name);

    /// <summary>Decides whether a connection may proceed, and as whom.</summary>
    /// <param name="context">The connection and its CONNECT.</param>
    /// <param name="cancellationToken">Ends the wait (server shutdown).</param>
    /// <param name="noAuthUser">A listener's own <c>no_auth_user</c>, used instead of the configured one.</param>
    public async ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken, string? noAuthUser = null)
    {
        if (!IsAuthRequired)
        {
            return AuthResult.Accept(null, null);
        }
        // A certificate-mapped user is never replaced by the no_auth_user (nats-server).
        noAuthUser ??= _noAuthUser;
        if (noAuthUser is not null && context.HasNoCredentials && _tlsMap?.Applies(context) != true)
        {
            return NoAuthUser(noAuthUser);
        }
        foreach (var authenticator in _chain)
        {
            var result = await authenticator.AuthenticateAsync(context, cancellationToken).ConfigureAwait(false);
            if (result.Decision != AuthDecision.NotMine)
            {
                return result.Scheme is null ? result.WithScheme(authenticator.Name) : result;
            }
        }
        return AuthResult.Deny($"no authenticator accepted the credentials ({context.OfferedCredential})").WithScheme("none");
    }

    /// <summary>The names of <paramref name="order"/> first, in that order, then the rest as they were.</summary>
    /// <exception cref="ConfigurationException">A name is not an authenticator of the chain.</exception>
    private static List<IAuthenticator> Order(List<IAuthenticator> chain, IReadOnlyList<string> order)
    {
        if (order.Count == 0)
        {
            return chain;
        }
        var ordered = new List<IAuthenticator>(chain.Count);
        foreach (var name in order)
        {
            var named = chain.Where(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (named.Count == 0)
            {
                throw new ConfigurationException(
                    $"authorization chain names \"{name}\", which is not an authenticator in force (in force: {string.Join(", ", chain.Select(a => a.Name).Distinct())})");
            }
            ordered.AddRange(named.Where(a => !ordered.Contains(a)));
        }
        ordered.AddRange(chain.Where(a => !ordered.Contains(a)));
        return ordered;
    }

    private AuthResult NoAuthUser(string name)
    {
        if (_users?.Find(name) is { } user)
        {
            return AuthResult.Accept(user.Account, user.Username, _userPermissions(user)).WithScheme("no_auth_user");
        }
        if (_nkeys?.Find(name) is { } nkey)
        {
            return AuthResult.Accept(nkey.Account, nkey.PublicKey, _nkeyPermissions(nkey));
        }
        return AuthResult.Deny($"no_auth_user \"{name}\" is not a configured user").WithScheme("no_auth_user");
    }
}

/// <summary>
/// Implemented by an authenticator whose clients sign the INFO nonce (as nkey and JWT users
/// do), so that the server sends one.
/// </summary>
public interface INonceRequired
{
}
