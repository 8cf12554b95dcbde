namespace Nats.Core.Plugins;

/// <summary>
/// Marks a plugin whose <see cref="IServerPlugin.StartAsync"/> runs before the server accepts
/// clients, instead of after: clients never see the server without what it brings. JetStream
/// uses it, as nats-server enables JetStream before its client accept loop, so a client's first
/// <c>$JS.API</c> request never meets "no responders". Such a plugin cannot rely on the client
/// port, routes or the monitoring listener being up yet. Plugins start in their order within
/// each group; a failure stops the server as for any plugin.
/// </summary>
public interface IStartsBeforeClients
{
}
