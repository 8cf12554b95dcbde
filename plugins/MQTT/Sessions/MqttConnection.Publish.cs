using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Topics;

namespace Nats.Mqtt.Sessions;

internal sealed partial class MqttConnection
{
    private const ushort TopicAliasMaximum = 64;
    private readonly Dictionary<ushort, string> _topicAliases = [];
    private readonly Dictionary<string, byte[]> _subjects = new(StringComparer.Ordinal);
    private readonly PropertyWriter _properties = new();
    private readonly HeaderBuilder _headers = new();

    /// <summary>An inbound PUBLISH: onward to NATS (and JetStream for QoS 1/2), then its acknowledgement.</summary>
    private async ValueTask<bool> HandlePublishAsync(byte header, ReadOnlySequence<byte> body)
    {
        var qos = (header >> 1) & 3;
        if (qos == 3 || (qos == 0 && (header & 0x08) != 0))
        {
            // [MQTT-3.3.1-4] QoS 3 is malformed, and [MQTT-3.3.1-2] DUP must be 0 for QoS 0.
            SendDisconnect(MqttDisconnectReasonCode.MalformedPacket);
            return false;
        }
        if (qos == 2 && _runtime.Options.RejectQos2Publish)
        {
            _runtime.Logger.LogDebug("{Remote} - mqtt client {Id}: QoS=2 is disabled for PUBLISH messages", RemoteText, ClientId);
            SendDisconnect(MqttDisconnectReasonCode.QoSNotSupported);
            return false;
        }
        var scratch = ArrayPool<byte>.Shared.Rent((int)Math.Max(body.Length, 1));
        try
        {
            MqttPublishPacket publish;
            try
            {
                publish = (MqttPublishPacket)Decode(header, body, scratch);
            }
            catch (Exception e) when (e is MqttProtocolViolationException or ArgumentException or IndexOutOfRangeException or InvalidCastException)
            {
                _runtime.Logger.LogDebug("{Remote} - mqtt client {Id}: malformed PUBLISH: {Reason}", RemoteText, ClientId, e.Message);
                SendDisconnect(MqttDisconnectReasonCode.MalformedPacket);
                return false;
            }
            if (qos > 0 && publish.PacketIdentifier == 0)
            {
                SendDisconnect(MqttDisconnectReasonCode.ProtocolError);
                return false;
            }
            var topic = publish.Topic ?? "";
            if (IsV5 && publish.TopicAlias > 0)
            {
                if (publish.TopicAlias > TopicAliasMaximum)
                {
                    SendDisconnect(MqttDisconnectReasonCode.TopicAliasInvalid);
                    return false;
                }
                if (topic.Length > 0)
                {
                    _topicAliases[publish.TopicAlias] = topic;
                }
                else if (!_topicAliases.TryGetValue(publish.TopicAlias, out topic!))
                {
                    SendDisconnect(MqttDisconnectReasonCode.ProtocolError);
                    return false;
                }
            }
            if (topic.Length == 0)
            {
                _runtime.Logger.LogDebug("{Remote} - mqtt client {Id}: topic cannot be empty", RemoteText, ClientId);
                SendDisconnect(MqttDisconnectReasonCode.TopicNameInvalid);
                return false;
            }
            var subject = SubjectFor(topic, out var error);
            if (subject is null)
            {
                _runtime.Logger.LogDebug("{Remote} - mqtt client {Id}: {Error}", RemoteText, ClientId, error);
                SendDisconnect(MqttDisconnectReasonCode.TopicNameInvalid);
                return false;
            }
            var message = new OutgoingMessage(topic, subject, qos, publish.Retain, publish, publish.Payload);
            if (message.Payload.Length > _runtime.Server.Options.MaxPayload)
            {
                SendDisconnect(MqttDisconnectReasonCode.PacketTooLarge);
                return false;
            }
            return await PublishAsync(message, publish.PacketIdentifier).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>The subject of a topic (the last few conversions are cached: clients publish to few topics).</summary>
    private byte[]? SubjectFor(string topic, out string? error)
    {
        error = null;
        if (_subjects.TryGetValue(topic, out var cached))
        {
            return cached;
        }
        var subject = MqttTopics.ToSubject(topic, wildcardsAllowed: false, out error);
        if (subject is null)
        {
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(subject);
        if (_subjects.Count >= 64)
        {
            _subjects.Clear();
        }
        _subjects[topic] = bytes;
        return bytes;
    }

    /// <summary>A message an MQTT client publishes (or its will), on its way to NATS.</summary>
    private readonly record struct OutgoingMessage(string Topic, byte[] Subject, int Qos, bool Retain, MqttPublishPacket? Properties, ReadOnlySequence<byte> Payload);

    /// <summary>Sends the message on (kernel, then JetStream for QoS 1/2 and retained), then acknowledges it.</summary>
    private async ValueTask<bool> PublishAsync(OutgoingMessage message, ushort packetId, bool acknowledge = true)
    {
        var headers = BuildHeaders(message);
        if (message.Qos == 2 && _store is not null)
        {
            // [MQTT-4.3.3-2] method A: stored once (a duplicate packet ID is ignored), released on PUBREL.
            await _store.StoreQos2Async(this, packetId, message.Subject, headers, message.Payload).ConfigureAwait(false);
            Send(new MqttPubRecPacket { PacketIdentifier = packetId }, flush: false);
            return true;
        }
        await _link!.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _link.WriteHPub(message.Subject, default, headers, message.Payload);
            _kernelDirty = true;
        }
        finally
        {
            _link.Gate.Release();
        }
        if (message.Qos > 0 && _store is not null)
        {
            await FlushKernelAsync().ConfigureAwait(false);
            await _store.StoreMessageAsync(this, message.Subject, headers, message.Payload).ConfigureAwait(false);
        }
        if (message.Retain && _store is not null)
        {
            await _store.RetainAsync(this, message.Topic, message.Subject, message.Qos, headers, message.Payload).ConfigureAwait(false);
        }
        if (!acknowledge)
        {
            return true;
        }
        if (message.Qos == 1)
        {
            Send(new MqttPubAckPacket { PacketIdentifier = packetId }, flush: false);
        }
        else if (message.Qos == 2)
        {
            Send(new MqttPubRecPacket { PacketIdentifier = packetId }, flush: false);
        }
        return true;
    }

    /// <summary>The NATS header block: <c>Nmqtt-Pub</c>, and MQTT 5's properties as headers.</summary>
    private byte[] BuildHeaders(in OutgoingMessage message)
    {
        var properties = message.Properties;
        if (!IsV5 || properties is null || !HasHeaderProperties(properties))
        {
            return NatsHeaders.PlainPublish[message.Qos];
        }
        return _headers.Build(message.Qos, properties);
    }

    private static bool HasHeaderProperties(MqttPublishPacket p) =>
        p.UserProperties is { Count: > 0 } || p.ContentType is not null || p.ResponseTopic is not null ||
        p.CorrelationData is not null || p.MessageExpiryInterval > 0 || p.PayloadFormatIndicator != MqttPayloadFormatIndicator.Unspecified;

    /// <summary>Flushes what the read loop wrote to the kernel since the last flush.</summary>
    private async ValueTask FlushKernelAsync()
    {
        if (!_kernelDirty || _link is null)
        {
            return;
        }
        await _link.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _kernelDirty = false;
            await _link.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _link.Gate.Release();
        }
    }
}
