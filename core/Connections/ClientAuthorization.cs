using Nats.Core.Accounts;
using Nats.Core.Plugins;

namespace Nats.Core.Connections;

/// <summary>
/// What a client's authentication gave it to be checked against: the grant in force (the
/// authenticator's result), the permissions built from it, when it ends, and the
/// publish-permission verdicts cached for those permissions.
/// </summary>
/// <remarks>
/// Replaced whole, never changed: CONNECT (the read loop) and reauthorization after a reload
/// (the reloading thread) each install a new one, so every reader (the read loop, publishers'
/// threads delivering to the client, the heartbeat checking expiry) sees one consistent state,
/// and a verdict cached under the old permissions goes away with them instead of outliving
/// the reload.
/// </remarks>
internal sealed class ClientAuthorization(AuthResult? grant, ClientPermissions? permissions)
{
    /// <summary>Before CONNECT: no grant, no permissions, no expiry.</summary>
    public static readonly ClientAuthorization None = new(null, null);

    // Created on first use by the read loop (the only thread that checks publishes).
    private PermissionCache? _publishCache;

    /// <summary>The authenticator's result in force (shown to re-authorization as the current grant); null before CONNECT.</summary>
    public AuthResult? Grant { get; } = grant;

    /// <summary>The permissions to enforce; null for none.</summary>
    public ClientPermissions? Permissions { get; } = permissions;

    /// <summary>When the authorization ends (the connection is closed then); null for never.</summary>
    public DateTimeOffset? Expires => Grant?.Expires;

    /// <summary>Publish verdicts for <see cref="Permissions"/>; the read loop's only.</summary>
    public PermissionCache PublishCache => _publishCache ??= new PermissionCache();
}
