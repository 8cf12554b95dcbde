using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Core.Security.Tls;

namespace Nats.Core.Security;

/// <summary>
/// <c>verify_and_map</c>: the client's verified certificate names the user (see
/// <see cref="CertificateUserMapper"/>); no password is checked. While mapping is on for a
/// connection this authenticator decides for users: a certificate that maps to no user is
/// refused rather than falling back to user/password, as in nats-server.
/// </summary>
internal sealed class TlsMapAuthenticator : IAuthenticator
{
    private readonly Dictionary<string, UserConfig> _users;
    private readonly List<(UserConfig User, DistinguishedName Dn)> _distinguished;
    private readonly Func<UserConfig, PermissionsConfig?> _permissionsOf;
    private readonly Func<ConnectContext, bool> _isMapped;

    /// <param name="users">The configured users (their names are what certificates map to).</param>
    /// <param name="permissionsOf">A user's effective permissions.</param>
    /// <param name="isMapped">Whether mapping is on for a connection (its listener's <c>verify_and_map</c>).</param>
    public TlsMapAuthenticator(IEnumerable<UserConfig> users, Func<UserConfig, PermissionsConfig?> permissionsOf, Func<ConnectContext, bool> isMapped)
    {
        _users = new Dictionary<string, UserConfig>(StringComparer.Ordinal);
        _distinguished = [];
        foreach (var user in users)
        {
            _users[user.Username] = user;
            // Parsed once here; nats-server parses every user name on every connection.
            if (DistinguishedName.TryParse(user.Username, out var dn) && dn!.Rdns.Count > 0)
            {
                _distinguished.Add((user, dn));
            }
        }
        _permissionsOf = permissionsOf;
        _isMapped = isMapped;
    }

    /// <inheritdoc />
    public string Name => "tls-map";

    /// <summary>True when mapping decides for <paramref name="context"/>.</summary>
    public bool Applies(ConnectContext context) => _isMapped(context);

    /// <inheritdoc />
    public ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        if (!_isMapped(context))
        {
            return ValueTask.FromResult(AuthResult.NotMine);
        }
        if (context.PeerCertificate is not { } certificate)
        {
            return ValueTask.FromResult(AuthResult.Deny("user required in certificate, but the client presented none"));
        }
        var user = CertificateUserMapper.Map(certificate, name => Find(name, context), dn => Find(dn, context));
        return ValueTask.FromResult(user is null
            ? AuthResult.Deny($"no user for certificate [{CertificateUserMapper.Describe(certificate)}]")
            : AuthResult.Accept(user.Account, user.Username, _permissionsOf(user)));
    }

    private UserConfig? Find(string name, ConnectContext context) =>
        _users.TryGetValue(name, out var user) && ConnectionTypes.Allowed(user.AllowedConnectionTypes, context) ? user : null;

    private UserConfig? Find(DistinguishedName subject, ConnectContext context)
    {
        var allowed = _distinguished.Where(d => ConnectionTypes.Allowed(d.User.AllowedConnectionTypes, context)).ToList();
        return allowed.FirstOrDefault(d => d.Dn.Matches(subject)).User
            ?? allowed.FirstOrDefault(d => d.Dn.MatchesInAnyOrder(subject)).User;
    }
}
