using System.Buffers;
using System.Text;
using Nats.Mqtt.Store;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Topics;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

internal sealed partial class MqttConnection
{
    private const ushort TopicAliasMaximum = 64;
    // Created on first use (read loop only): an idle connection holds neither.
    private Dictionary<ushort, string>? _topicAliases;
    private Dictionary<string, byte[]>? _subjects;

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
            MqttLog.Qos2Disabled(_runtime.Logger, RemoteText, ClientId);
            SendDisconnect(MqttDisconnectReasonCode.QoSNotSupported);
            return false;
        }
        // The common PUBLISH (no MQTT 5 properties) is read in place: its topic, packet ID and
        // payload, with no packet object and no copy. Others go through MQTTnet's decoder.
        if (TryReadPlainPublish(body, qos, out var plainTopic, out var plainPacketId, out var plainPayload))
        {
            return await PublishInboundAsync(qos, (header & 0x01) != 0, plainTopic, plainPacketId, null, plainPayload).ConfigureAwait(false);
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
                MqttLog.MalformedPublish(_runtime.Logger, RemoteText, ClientId, e.Message);
                SendDisconnect(MqttDisconnectReasonCode.MalformedPacket);
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
                    (_topicAliases ??= [])[publish.TopicAlias] = topic;
                }
                else if (_topicAliases is null || !_topicAliases.TryGetValue(publish.TopicAlias, out topic!))
                {
                    SendDisconnect(MqttDisconnectReasonCode.ProtocolError);
                    return false;
                }
            }
            return await PublishInboundAsync(qos, publish.Retain, topic, publish.PacketIdentifier, publish, publish.Payload).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>A PUBLISH read (its topic alias resolved): checked, then sent on.</summary>
    private async ValueTask<bool> PublishInboundAsync(int qos, bool retain, string topic, ushort packetId, MqttPublishPacket? properties, ReadOnlySequence<byte> payload)
    {
        if (qos > 0 && packetId == 0)
        {
            SendDisconnect(MqttDisconnectReasonCode.ProtocolError);
            return false;
        }
        if (!AdmitInbound(qos, packetId))
        {
            return false;
        }
        if (topic.Length == 0)
        {
            MqttLog.EmptyTopic(_runtime.Logger, RemoteText, ClientId);
            SendDisconnect(MqttDisconnectReasonCode.TopicNameInvalid);
            return false;
        }
        var subject = SubjectFor(topic, out var error);
        if (subject is null)
        {
            MqttLog.InvalidTopic(_runtime.Logger, RemoteText, ClientId, error);
            SendDisconnect(MqttDisconnectReasonCode.TopicNameInvalid);
            return false;
        }
        var message = new OutgoingMessage(topic, subject, qos, retain, properties, payload);
        if (message.Payload.Length > _runtime.Server.Options.MaxPayload)
        {
            SendDisconnect(MqttDisconnectReasonCode.PacketTooLarge);
            return false;
        }
        return await PublishAsync(message, packetId).ConfigureAwait(false);
    }

    // The last topic read in place, as sent and as a string (read loop only): publishers mostly repeat one.
    private byte[] _lastTopicBytes = [];
    private string _lastTopic = "";

    /// <summary>
    /// Reads a PUBLISH without MQTT 5 properties in place (3.1.1, or 5 with a zero property
    /// length): false for anything else, or anything odd, which MQTTnet's decoder then reads
    /// (and refuses when malformed).
    /// </summary>
    private bool TryReadPlainPublish(in ReadOnlySequence<byte> body, int qos, out string topic, out ushort packetId, out ReadOnlySequence<byte> payload)
    {
        topic = "";
        packetId = 0;
        payload = default;
        var head = body.FirstSpan;
        if (head.Length < 2)
        {
            return false;
        }
        var topicLength = (head[0] << 8) | head[1];
        var at = 2 + topicLength;
        var headerLength = at + (qos > 0 ? 2 : 0) + (IsV5 ? 1 : 0);
        if (topicLength == 0 || head.Length < headerLength || body.Length < headerLength)
        {
            return false;
        }
        if (qos > 0)
        {
            packetId = (ushort)((head[at] << 8) | head[at + 1]);
            at += 2;
        }
        if (IsV5 && head[at++] != 0)
        {
            return false;
        }
        var topicBytes = head.Slice(2, topicLength);
        if (!topicBytes.SequenceEqual(_lastTopicBytes))
        {
            _lastTopic = Encoding.UTF8.GetString(topicBytes);
            _lastTopicBytes = topicBytes.ToArray();
        }
        topic = _lastTopic;
        payload = body.Slice(at);
        return true;
    }

    /// <summary>The subject of a topic (the last few conversions are cached: clients publish to few topics).</summary>
    private byte[]? SubjectFor(string topic, out string? error)
    {
        error = null;
        if (_subjects is not null && _subjects.TryGetValue(topic, out var cached))
        {
            return cached;
        }
        var subject = MqttTopics.ToSubject(topic, wildcardsAllowed: false, out error);
        if (subject is null)
        {
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(subject);
        _subjects ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (_subjects.Count >= 64)
        {
            _subjects.Clear();
        }
        _subjects[topic] = bytes;
        return bytes;
    }

    /// <summary>A message an MQTT client publishes (or its will), on its way to NATS.</summary>
    private readonly record struct OutgoingMessage(string Topic, byte[] Subject, int Qos, bool Retain, MqttPublishPacket? Properties, ReadOnlySequence<byte> Payload)
    {
        /// <summary>A header block already built (a QoS 2 message released from <c>$MQTT_qos2in</c>).</summary>
        public byte[]? Headers { get; init; }

        /// <summary>The account's subject mappings were applied already (a released QoS 2 message was stored mapped).</summary>
        public bool Mapped { get; init; }
    }

    /// <summary>
    /// Applies the account's subject mappings once, before anything else (nats-server maps in its
    /// MQTT parser, <c>mqttParsePub</c>): the NATS publish, the <c>$MQTT_msgs</c> copy and the
    /// retained message all go under the mapped subject and topic. False when the mapping drops
    /// the message.
    /// </summary>
    private bool TryMap(ref OutgoingMessage message)
    {
        if (message.Mapped || KernelClient?.Account is not { Mappings: not null } account)
        {
            return true;
        }
        var mapped = account.MapSubject(message.Subject);
        if (mapped is null)
        {
            message = message with { Mapped = true };
            return true;
        }
        if (mapped.Length == 0)
        {
            return false;
        }
        message = message with { Subject = mapped, Topic = MqttTopics.ToTopic(mapped), Mapped = true };
        return true;
    }

    /// <summary>
    /// Sends the message on: to NATS subscribers through the kernel client (its permissions
    /// apply), then, for QoS 1/2, into <c>$MQTT_msgs</c> for the QoS 1/2 subscriptions, and for
    /// RETAIN into <c>$MQTT_rmsgs</c>. The PUBACK follows the JetStream acks, in order, without
    /// holding up the next PUBLISH (<see cref="AcknowledgeAsync"/>), so stores pipeline into the
    /// stream's group commits.
    /// </summary>
    private async ValueTask<bool> PublishAsync(OutgoingMessage message, ushort packetId, bool acknowledge = true)
    {
        if (!TryMap(ref message))
        {
            // Dropped by the mapping, as the kernel drops a client's publish: acknowledged, sent nowhere.
            if (acknowledge && message.Qos > 0)
            {
                await AcknowledgeAsync(packetId, message.Qos, null, allowed: true).ConfigureAwait(false);
            }
            return true;
        }
        if (message.Qos == 2 && acknowledge && _account is not null)
        {
            // [MQTT-4.3.3-2] method A: stored once, PUBREC; delivered on PUBREL.
            await AcknowledgeAsync(packetId, 2, StoreQos2Async(message, packetId), allowed: true).ConfigureAwait(false);
            return true;
        }
        var headers = message.Headers ?? BuildHeaders(message);
        // What the kernel refuses (publish permissions) must not reach QoS 1/2 subscribers
        // through the stream, nor be retained, either.
        var allowed = PublishToKernel(message.Subject, headers, message.Payload);
        Task? stored = null;
        if ((message.Qos > 0 || message.Retain) && _account is not null && allowed)
        {
            stored = StoreAsync(message, headers);
        }
        if (!acknowledge)
        {
            if (stored is not null)
            {
                await stored.ConfigureAwait(false);
            }
            return true;
        }
        if (message.Qos > 0)
        {
            await AcknowledgeAsync(packetId, message.Qos, stored, allowed).ConfigureAwait(false);
        }
        else if (stored is not null)
        {
            _ = LogStoreFailureAsync(stored, message.Topic);
        }
        return true;
    }

    /// <summary>Stores a QoS 1/2 or retained message (the payload is copied before the first await).</summary>
    private Task StoreAsync(in OutgoingMessage message, byte[] headers)
    {
        var account = _account!;
        var payload = message.Payload.ToArray();
        var subject = Encoding.UTF8.GetString(message.Subject);
        var tasks = new List<Task>(2);
        if (message.Qos > 0)
        {
            tasks.Add(account.Js.StoreAsync(Store.StreamNames.MessagesPrefix + subject, headers, payload));
        }
        if (message.Retain)
        {
            tasks.Add(account.StoreRetainedAsync(subject, message.Topic, message.Qos, headers, payload, _username));
        }
        return tasks.Count == 1 ? tasks[0] : Task.WhenAll(tasks);
    }

    private async Task LogStoreFailureAsync(Task stored, string topic)
    {
        try
        {
            await stored.ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or ObjectDisposedException)
        {
            MqttLog.StoreFailed(_runtime.Logger, RemoteText, ClientId, topic, e.Message);
        }
    }

    /// <summary>
    /// Publishes to NATS as the kernel client, directly (no HPUB text for the kernel to parse):
    /// its permissions and limits apply (the mappings were, by <see cref="TryMap"/>). False when the kernel refused it.
    /// </summary>
    private bool PublishToKernel(byte[] subject, byte[] headers, in ReadOnlySequence<byte> payload)
    {
        // Mapped by TryMap already: the kernel must not map (and pick a weighted destination) again.
        var client = KernelClient!;
        if (payload.IsSingleSegment)
        {
            return client.PublishFromPlugin(subject, headers, payload.FirstSpan, subjectMapped: true);
        }
        var length = (int)payload.Length;
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(copy);
            return client.PublishFromPlugin(subject, headers, copy.AsSpan(0, length), subjectMapped: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// The NATS header block: <c>Nmqtt-Pub</c>, <c>Nmqtt-Retain</c> (Retain As Published),
    /// <c>Nmqtt-Src</c> while this client has a No Local subscription, and MQTT 5's properties as headers.
    /// </summary>
    private byte[] BuildHeaders(in OutgoingMessage message)
    {
        var properties = IsV5 && message.Properties is { } p && HasHeaderProperties(p) ? p : null;
        var source = _hasNoLocal ? SourceId : null;
        if (properties is null && source is null && !message.Retain)
        {
            return NatsHeaders.PlainPublish[message.Qos];
        }
        return HeaderBuilder.ForThread.Build(message.Qos, message.Retain, source, properties);
    }

    private static bool HasHeaderProperties(MqttPublishPacket p) =>
        p.UserProperties is { Count: > 0 } || p.ContentType is not null || p.ResponseTopic is not null ||
        p.CorrelationData is not null || p.MessageExpiryInterval > 0 || p.PayloadFormatIndicator != MqttPayloadFormatIndicator.Unspecified;
}
