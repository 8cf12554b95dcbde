using Nats.Core.Plugins;

namespace Nats.Host.Plugins;

/// <summary>
/// The plugins a native build links in, chosen at build time (<c>build/publish.sh --aot
/// --plugins ...</c> defines <c>NATS_LINK_&lt;FOLDER&gt;</c> for each and references its project).
/// A native executable cannot load assemblies, so each plugin is created here by its
/// constructor, with no reflection over plugin folders or System.Composition; its manifest
/// (plugin.toml) is compiled in as a resource named <c>plugins/&lt;Folder&gt;/plugin.toml</c>.
/// </summary>
internal static class LinkedPluginTable
{
    /// <summary>A linked-in plugin: the folder name it would have, and how it is created.</summary>
    internal sealed record Entry(string Folder, Func<IServerPlugin> Create);

    /// <summary>The linked-in plugins; they configure in their <see cref="ServerPluginAttribute.Order"/>, as folder plugins do.</summary>
    public static IReadOnlyList<Entry> All { get; } =
    [
#if NATS_LINK_AUTH_JWT
        new("Auth.JWT", () => new Nats.AuthJwt.Plugin.AuthJwtPlugin()),
#endif
#if NATS_LINK_JETSTREAM
        new("JetStream", () => new Nats.JetStream.Server.JetStreamPlugin()),
#endif
#if NATS_LINK_GATEWAY
        new("Gateway", () => new Nats.Gateway.GatewayPlugin()),
#endif
#if NATS_LINK_WEBSOCKET
        new("WebSocket", () => new Nats.WebSocket.WebSocketPlugin()),
#endif
#if NATS_LINK_MQTT
        new("MQTT", () => new Nats.Mqtt.MqttPlugin()),
#endif
#if NATS_LINK_LEAFNODE
        new("Leafnode", () => new Nats.Leafnode.LeafnodePlugin()),
#endif
    ];
}
