using System.Text;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Mqtt.Store;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// MQTT 5 limits and options both ways: the client's Maximum Packet Size (what would exceed it is
/// not sent), the server's Receive Maximum (more unacknowledged QoS 1/2 PUBLISH packets than
/// announced: DISCONNECT 0x93), No Local (the client's own messages carry <c>Nmqtt-Src</c> while
/// it has such a subscription), and the refusal of enhanced authentication (none is offered).
/// </summary>
internal sealed partial class MqttConnection
{
    // Set at CONNECT, read by every task after.
    private uint _clientMaxPacketSize = uint.MaxValue;
    private string _sourceId = "";
    private byte[] _sourceIdBytes = [];

    // Read loop only: whether a subscription in force has No Local (the publishes then carry Nmqtt-Src).
    private bool _hasNoLocal;

    // QoS 1 PUBLISH packets not yet PUBACKed (read loop adds, the ack sender removes) and QoS 2
    // packet IDs awaiting their PUBREL (read loop only): together bounded by the Receive Maximum.
    private int _inboundQos1Unacked;
    private HashSet<ushort>? _inboundQos2;

    /// <summary>The hash of the client ID that marks its own messages for No Local.</summary>
    private string SourceId => _sourceId;

    /// <summary>The Receive Maximum this server announces: max_ack_pending, at most 65535.</summary>
    private ushort ServerReceiveMaximum => (ushort)Math.Min(ushort.MaxValue, _runtime.Options.EffectiveMaxAckPending);

    /// <summary>At CONNECT: the client's limits, and its No Local mark.</summary>
    private void ApplyClientLimits(MqttConnectPacket connect, string clientId)
    {
        _clientMaxPacketSize = IsV5 && connect.MaximumPacketSize > 0 ? connect.MaximumPacketSize : uint.MaxValue;
        _sourceId = Nuid.Hash8(clientId);
        _sourceIdBytes = Encoding.ASCII.GetBytes(_sourceId);
    }

    /// <summary>After SUBSCRIBE/UNSUBSCRIBE or a restored session: whether any subscription has No Local.</summary>
    private void UpdateNoLocal() => _hasNoLocal = _subscriptions.Values.Any(s => s.NoLocal);

    /// <summary>
    /// An inbound QoS 1/2 PUBLISH (MQTT 5): false, after DISCONNECT 0x93, when it goes beyond the
    /// Receive Maximum this server announced [MQTT-3.3.4-9]. A QoS 2 packet ID already awaiting
    /// its PUBREL (a DUP) does not count twice.
    /// </summary>
    private bool AdmitInbound(int qos, ushort packetId)
    {
        if (qos == 0 || !IsV5)
        {
            return true;
        }
        if (qos == 2 && _inboundQos2 is not null && _inboundQos2.Contains(packetId))
        {
            return true;
        }
        if (Volatile.Read(ref _inboundQos1Unacked) + (_inboundQos2?.Count ?? 0) >= ServerReceiveMaximum)
        {
            SendDisconnect(MqttDisconnectReasonCode.ReceiveMaximumExceeded);
            return false;
        }
        if (qos == 1)
        {
            Interlocked.Increment(ref _inboundQos1Unacked);
        }
        else
        {
            (_inboundQos2 ??= []).Add(packetId);
        }
        return true;
    }

    /// <summary>The PUBACK of a QoS 1 PUBLISH went (any task).</summary>
    private void InboundQos1Acked()
    {
        if (IsV5)
        {
            Interlocked.Decrement(ref _inboundQos1Unacked);
        }
    }

    /// <summary>The PUBREL of a QoS 2 PUBLISH came (read loop).</summary>
    private void InboundQos2Released(ushort packetId) => _inboundQos2?.Remove(packetId);

    /// <summary>
    /// A CONNECT asking for enhanced authentication (MQTT 5 Authentication Method): no method is
    /// offered, so CONNACK 0x8C Bad authentication method [MQTT-4.12.0-1] rather than a close.
    /// </summary>
    private static bool AsksEnhancedAuthentication(MqttConnectPacket connect) => !string.IsNullOrEmpty(connect.AuthenticationMethod);
}
