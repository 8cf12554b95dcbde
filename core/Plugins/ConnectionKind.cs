using System.Collections.Concurrent;

namespace Nats.Core.Plugins;

/// <summary>
/// The kind of a connection (client, route, a plugin's WebSocket clients…): what
/// authenticators, <c>allowed_connection_types</c> and <c>/connz</c> see. Open: a plugin that
/// brings a transport or a link registers its kind once with <see cref="Register"/>; the
/// kernel knows only the kinds it runs itself plus the well-known names nats-server reports.
/// </summary>
/// <example>
/// <code>
/// public static readonly ConnectionKind WebSocket =
///     ConnectionKind.Register("WebSocket", connectionType: "WEBSOCKET", connzType: "websocket");
/// </code>
/// </example>
public sealed class ConnectionKind
{
    private static readonly ConcurrentDictionary<string, ConnectionKind> Registered = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A client on the client port.</summary>
    public static readonly ConnectionKind Client = Register("Client", "STANDARD", "nats");

    /// <summary>Another server of this cluster.</summary>
    public static readonly ConnectionKind Route = Register("Route", "STANDARD", connzType: null, isClient: false, connzKind: "Router");

    /// <summary>A gateway from another cluster (registered here so its name is the same everywhere).</summary>
    public static readonly ConnectionKind Gateway = Register("Gateway", "STANDARD", connzType: null, isClient: false, connzKind: "Gateway");

    /// <summary>A leaf node.</summary>
    public static readonly ConnectionKind Leaf = Register("Leaf", "LEAFNODE", connzType: null, isClient: false, connzKind: "Leafnode");

    /// <summary>A client over WebSocket.</summary>
    public static readonly ConnectionKind WebSocket = Register("WebSocket", "WEBSOCKET", "websocket");

    /// <summary>An MQTT client.</summary>
    public static readonly ConnectionKind Mqtt = Register("Mqtt", "MQTT", "mqtt");

    private ConnectionKind(string name, string connectionType, string? connzType, bool isClient, string connzKind)
    {
        Name = name;
        ConnectionType = connectionType;
        ConnzType = connzType;
        IsClient = isClient;
        ConnzKind = connzKind;
    }

    /// <summary>The kind's name (unique, compared without regard to case).</summary>
    public string Name { get; }

    /// <summary>nats-server's connection type, as <c>allowed_connection_types</c> names it (<c>STANDARD</c>, <c>WEBSOCKET</c>…).</summary>
    public string ConnectionType { get; }

    /// <summary>The <c>type</c> shown in <c>/connz</c> for client kinds (<c>nats</c>, <c>websocket</c>…), null for links.</summary>
    public string? ConnzType { get; }

    /// <summary>The <c>kind</c> shown in <c>/connz</c> (<c>Client</c>, <c>Router</c>, <c>Leafnode</c>…).</summary>
    public string ConnzKind { get; }

    /// <summary>True for kinds that speak for an end user (clients): reserved reply prefixes are refused to them.</summary>
    public bool IsClient { get; }

    /// <summary>
    /// Registers a kind, or returns the one already registered under <paramref name="name"/>
    /// (plugins loaded twice, or two plugins agreeing on a well-known name, share it).
    /// </summary>
    /// <param name="name">The kind's name.</param>
    /// <param name="connectionType">The <c>allowed_connection_types</c> name.</param>
    /// <param name="connzType">The <c>/connz</c> type of client kinds.</param>
    /// <param name="isClient">Whether connections of this kind are end-user clients.</param>
    /// <param name="connzKind">The <c>/connz</c> kind (defaults to <c>Client</c> for clients, else the name).</param>
    public static ConnectionKind Register(string name, string connectionType = "STANDARD", string? connzType = null, bool isClient = true, string? connzKind = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Registered.GetOrAdd(name, n => new ConnectionKind(n, connectionType, connzType ?? (isClient ? n.ToLowerInvariant() : null), isClient, connzKind ?? (isClient ? "Client" : n)));
    }

    /// <summary>The kind registered under <paramref name="name"/>, or null.</summary>
    public static ConnectionKind? Find(string name) => Registered.GetValueOrDefault(name);

    /// <inheritdoc />
    public override string ToString() => Name;
}
