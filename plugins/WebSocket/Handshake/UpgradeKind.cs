namespace Nats.WebSocket.Handshake;

/// <summary>What the upgrade's path asks for, as nats-server tells them apart by suffix.</summary>
public enum UpgradeKind
{
    /// <summary>A NATS client (any path but the two below).</summary>
    Client,

    /// <summary>A leaf node: the path ends with <c>/leafnode</c>.</summary>
    LeafNode,

    /// <summary>MQTT over WebSocket: the path ends with <c>/mqtt</c>.</summary>
    Mqtt,
}
