namespace Nats.Core.Connections;

/// <summary>
/// The plugin side of a client a plugin runs without a stream (<see cref="NatsServer.OpenPluginClient"/>):
/// a protocol adapter (MQTT, say) that speaks its own protocol to the network and stands for
/// each of its clients with a kernel client, so the server's users, accounts, permissions,
/// limits and <c>/connz</c> apply. It takes the client's deliveries
/// (<see cref="IClientDeliveryTarget.Deliver"/>) and hears what the kernel would otherwise have
/// written to the client's stream: its errors and its end.
/// </summary>
/// <remarks>
/// The kernel writes nothing else to such a client: no INFO, no PING (the plugin keeps its
/// own protocol's keep-alive), no <c>+OK</c>. Calls come on whichever thread caused them
/// (a publisher, the server's heartbeat, a reload, the plugin's own calls into the client):
/// they must not block.
/// </remarks>
public interface IPluginClientHost : IClientDeliveryTarget
{
    /// <summary>
    /// An <c>-ERR</c> the client would have received and that does not close it (a publish or
    /// subscribe its permissions refuse, say), with nats-server's text, without quotes.
    /// </summary>
    void OnError(string text);

    /// <summary>
    /// The client is closed, by the plugin (<see cref="NatsConnection.Close"/>) or by the kernel
    /// (authentication refused, expired or revoked, a slow consumer, the server shutting down):
    /// the plugin ends its own connection. Runs once.
    /// </summary>
    /// <param name="reason">Why (as <c>/connz</c> shows it).</param>
    /// <param name="error">The <c>-ERR</c> text the client would have received last, or null.</param>
    void OnClosed(ClosedReason reason, string? error);
}
