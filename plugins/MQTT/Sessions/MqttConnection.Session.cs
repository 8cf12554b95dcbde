using System.Buffers;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Mqtt.Protocol;

namespace Nats.Mqtt.Sessions;

internal sealed partial class MqttConnection
{
    // Set by the QoS 1/2 session store that is being written (issue 14); null until then.
#pragma warning disable CS0649, IDE0044
    private IMqttStore? _store;
#pragma warning restore CS0649, IDE0044
    private OutgoingMessage? _will;

    /// <summary>Checks and keeps the will of a CONNECT; false (with the reason) when it cannot be published.</summary>
    private bool PrepareWill(MqttConnectPacket connect, out MqttConnectReasonCode reason)
    {
        reason = MqttConnectReasonCode.Success;
        var topic = connect.WillTopic ?? "";
        if (topic.Length == 0)
        {
            reason = MqttConnectReasonCode.TopicNameInvalid;
            return false;
        }
        if ((int)connect.WillQoS == 2 && _runtime.Options.RejectQos2Publish)
        {
            reason = MqttConnectReasonCode.QoSNotSupported;
            return false;
        }
        var subject = Topics.MqttTopics.ToSubject(topic, wildcardsAllowed: false, out _);
        if (subject is null)
        {
            reason = MqttConnectReasonCode.TopicNameInvalid;
            return false;
        }
        var properties = new MqttPublishPacket
        {
            ContentType = connect.WillContentType,
            CorrelationData = connect.WillCorrelationData,
            ResponseTopic = connect.WillResponseTopic,
            MessageExpiryInterval = connect.WillMessageExpiryInterval,
            PayloadFormatIndicator = connect.WillPayloadFormatIndicator,
            UserProperties = connect.WillUserProperties,
        };
        _will = new OutgoingMessage(topic, System.Text.Encoding.UTF8.GetBytes(subject), (int)connect.WillQoS, connect.WillRetain, properties,
            new ReadOnlySequence<byte>(connect.WillMessage ?? []));
        return true;
    }

    /// <summary>Publishes the will (any close but a normal DISCONNECT), as the client would have.</summary>
    private async Task PublishWillAsync()
    {
        if (_will is not { } will || KernelClient is null)
        {
            return;
        }
        _will = null;
        await PublishAsync(will, packetId: 0, acknowledge: false).ConfigureAwait(false);
        await FlushKernelAsync().ConfigureAwait(false);
        await PingKernelAsync().ConfigureAwait(false);
    }

    /// <summary>Restores the stored session (when not clean); true when one was present.</summary>
    private Task<bool> OpenSessionAsync() => Task.FromResult(false);

    /// <summary>After CONNACK: resumes the stored subscriptions' deliveries.</summary>
    private Task OnSessionOpenedAsync() => Task.CompletedTask;

    /// <summary>Before the kernel client goes: forgets a clean session.</summary>
    private Task OnSessionClosingAsync() => Task.CompletedTask;

    private Task PersistSessionAsync() => Task.CompletedTask;

    private Task StartConsumerAsync(MqttSubscription subscription) => Task.CompletedTask;

    private Task DeleteConsumerAsync(MqttSubscription subscription) => Task.CompletedTask;

    private Task SendRetainedAsync(MqttSubscription subscription, bool isNew) => Task.CompletedTask;

    private Task OnPubAckAsync(ushort packetId) => Task.CompletedTask;

    private Task OnPubRecAsync(ushort packetId) => Task.CompletedTask;

    private Task OnPubRelAsync(ushort packetId)
    {
        Send(new MqttPubCompPacket { PacketIdentifier = packetId, ReasonCode = MqttPubCompReasonCode.Success });
        return Task.CompletedTask;
    }

    private Task OnPubCompAsync(ushort packetId) => Task.CompletedTask;
}
