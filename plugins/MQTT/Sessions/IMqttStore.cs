using System.Buffers;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// Where a session keeps what must outlive its connection (nats-server's streams, reached over
/// <c>$JS.API</c>): QoS 1/2 messages, QoS 2 messages awaiting PUBREL and retained messages.
/// </summary>
internal interface IMqttStore
{
    /// <summary>Stores a QoS 1/2 message for the QoS 1/2 subscriptions (<c>$MQTT.msgs.&lt;subject&gt;</c>).</summary>
    Task StoreMessageAsync(MqttConnection connection, byte[] subject, byte[] headers, ReadOnlySequence<byte> payload);

    /// <summary>Stores an inbound QoS 2 message until its PUBREL (a duplicate packet ID is ignored).</summary>
    Task StoreQos2Async(MqttConnection connection, ushort packetId, byte[] subject, byte[] headers, ReadOnlySequence<byte> payload);

    /// <summary>Sets, replaces or (empty payload) clears the retained message of a topic.</summary>
    Task RetainAsync(MqttConnection connection, string topic, byte[] subject, int qos, byte[] headers, ReadOnlySequence<byte> payload);
}
