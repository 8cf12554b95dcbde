using Nats.Core.Security;

namespace Nats.Core.Connections;

/// <summary>
/// What one listener of client connections decides for its clients (the client port, a
/// plugin's WebSocket or pipe listener): its TLS certificate set, its <c>no_auth_user</c>,
/// its own authorization, and how its connections show in logs.
/// </summary>
/// <example>
/// <code>
/// var options = new ClientListenerOptions { TlsSet = "websocket", NoAuthUser = "guest", LogPrefix = "ws" };
/// await server.ServeClientAsync(stream, remote, WebSocketKind, options);
/// </code>
/// </example>
public sealed record ClientListenerOptions
{
    /// <summary>The client port's options: the <c>client</c> TLS set, the server's authorization.</summary>
    public static readonly ClientListenerOptions ClientPort = new() { TlsSet = Security.Tls.TlsStore.ClientSet };

    /// <summary>Plain clients with the server's authorization (a stream already secured by its plugin).</summary>
    public static readonly ClientListenerOptions Plain = new();

    /// <summary>
    /// The name of a TLS set in the server's store (<see cref="Plugins.ITlsStore"/>) whose
    /// certificate this listener's clients handshake with, taken fresh per connection; null
    /// for none. When the set is not installed, clients are served in the clear.
    /// </summary>
    public string? TlsSet { get; init; }

    /// <summary>The user a client without credentials becomes on this listener, instead of the server's <c>no_auth_user</c>.</summary>
    public string? NoAuthUser { get; init; }

    /// <summary>
    /// This listener's own authorization (a block of the plugin's config, built with
    /// <see cref="NatsServer.CreateAuthService"/>); null for the server's.
    /// </summary>
    public AuthService? Auth { get; init; }

    /// <summary>
    /// The advertised URL field (<see cref="NatsServer.AdvertiseUrls"/>, e.g.
    /// <c>ws_connect_urls</c>) whose cluster-wide list this listener's clients get as
    /// <c>connect_urls</c>, and whose changes they are told of; null for the client port's
    /// <c>connect_urls</c>. nats-server gives websocket clients the cluster's websocket URLs
    /// this way, so a browser fails over to another server's websocket port.
    /// </summary>
    public string? ConnectUrlsField { get; init; }

    /// <summary>
    /// Credentials standing in for the CONNECT fields a client leaves empty (a WebSocket
    /// upgrade's cookies); per connection, so a listener passes <c>options with { ConnectDefaults = … }</c>
    /// to <see cref="NatsServer.ServeClientAsync"/>. Null for none.
    /// </summary>
    public ConnectDefaults? ConnectDefaults { get; init; }

    /// <summary>Put before the connection in logs (<c>ws</c>, <c>mqtt</c>…); null for none.</summary>
    public string? LogPrefix { get; init; }
}
