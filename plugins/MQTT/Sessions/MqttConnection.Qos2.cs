using System.Buffers;
using System.Globalization;
using System.Text;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Core.Plugins;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Store;
using Nats.Mqtt.Topics;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// QoS 2 as nats-server 2.10+ does it. Inbound: the PUBLISH is stored in <c>$MQTT_qos2in</c> on
/// <c>$MQTT.qos2.in.&lt;client id&gt;.&lt;packet id&gt;</c> (one per subject, a duplicate refused:
/// exactly once), PUBREC; on PUBREL it is taken out and published (NATS, <c>$MQTT_msgs</c>,
/// retained), then PUBCOMP. Outbound: a QoS 2 delivery's PUBREC acks the stream message and
/// stores a PUBREL record (<c>Nmqtt-PubRel: &lt;packet id&gt;</c>) in <c>$MQTT_out</c>; the session's
/// PUBREL consumer delivers it, the PUBREL goes out, and the PUBCOMP acks it, so a PUBREL not
/// completed is sent again after a reconnect or a restart.
/// </summary>
internal sealed partial class MqttConnection
{
    private const string PubRelHeader = "Nmqtt-PubRel";

    // The session's PUBREL consumer and its delivery (read loop and close path).
    private IDisposable? _pubRelDelivery;
    private bool _pubRelConsumer;

    /// <summary>The subject a QoS 2 PUBLISH waits on for its PUBREL (the client ID as a token, or its hash when it cannot be one).</summary>
    private string Qos2Subject(ushort packetId)
    {
        var id = ClientId.AsSpan().IndexOfAny(". *>\t\r\n") >= 0 ? "#" + Nuid.Hash8(ClientId) : ClientId;
        return StreamNames.Qos2InPrefix + id + "." + packetId.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Stores an inbound QoS 2 message until its PUBREL; a duplicate (same packet ID, not yet released) is kept once.</summary>
    private async Task StoreQos2Async(OutgoingMessage message, ushort packetId)
    {
        var built = BuildHeaders(message);
        // nats-server's encoding: Nmqtt-Pub carries the QoS and the flags (hex), Nmqtt-Subject the subject.
        var text = Encoding.UTF8.GetString(built);
        var flags = (2 << 1) | (message.Retain ? 1 : 0);
        text = text.Replace("Nmqtt-Pub:2\r\n", $"Nmqtt-Pub:2{flags:x}\r\nNmqtt-Subject:{Encoding.UTF8.GetString(message.Subject)}\r\n", StringComparison.Ordinal);
        var payload = message.Payload.ToArray();
        try
        {
            await _account!.Js.StoreAsync(Qos2Subject(packetId), Encoding.UTF8.GetBytes(text), payload).ConfigureAwait(false);
        }
        catch (JsApiException e) when (e.ErrCode == 10077)
        {
            // Maximum messages per subject: the first copy is kept, this one is the duplicate.
        }
    }

    /// <summary>PUBREL: the stored QoS 2 message goes on (once), then PUBCOMP.</summary>
    private async Task OnPubRelAsync(ushort packetId)
    {
        InboundQos2Released(packetId);
        if (_account is { } account)
        {
            try
            {
                await FlushPendingAcksAsync().ConfigureAwait(false);
                if (await account.LoadLastAsync(StreamNames.Qos2In, Qos2Subject(packetId)).ConfigureAwait(false) is { } stored)
                {
                    await account.DeleteMessageAsync(StreamNames.Qos2In, stored.Sequence).ConfigureAwait(false);
                    await ReleaseAsync(stored.Headers, stored.Data, packetId).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is JsApiException or TimeoutException)
            {
                MqttLog.Qos2NotReleased(_runtime.Logger, RemoteText, ClientId, packetId, e.Message);
            }
        }
        Send(new MqttPubCompPacket { PacketIdentifier = packetId, ReasonCode = MqttPubCompReasonCode.Success });
    }

    /// <summary>Publishes a released QoS 2 message as its publisher would have (NATS, QoS 1/2 subscriptions, retained).</summary>
    private async Task ReleaseAsync(byte[] storedHeaders, byte[] data, ushort packetId)
    {
        if (!NatsHeaders.TryGet(storedHeaders, "Nmqtt-Subject"u8, out var subjectValue) || !NatsHeaders.TryGet(storedHeaders, "Nmqtt-Pub"u8, out var pub) || pub.Length == 0)
        {
            return;
        }
        var subject = subjectValue.ToArray();
        var retain = pub.Length > 1 && (Convert.ToInt32(Encoding.ASCII.GetString(pub[1..2]), 16) & 1) != 0;
        // Back to the header block of a live QoS 2 publish: Nmqtt-Pub:2, no Nmqtt-Subject.
        var lines = Encoding.UTF8.GetString(storedHeaders).Split("\r\n")
            .Where(l => !l.StartsWith("Nmqtt-Subject:", StringComparison.OrdinalIgnoreCase))
            .Select(l => l.StartsWith("Nmqtt-Pub:", StringComparison.OrdinalIgnoreCase) ? "Nmqtt-Pub:2" : l);
        var headers = Encoding.UTF8.GetBytes(string.Join("\r\n", lines));
        var message = new OutgoingMessage(MqttTopics.ToTopic(subject), subject, 2, retain, null, new ReadOnlySequence<byte>(data)) { Headers = headers, Mapped = true };
        await PublishAsync(message, packetId, acknowledge: false).ConfigureAwait(false);
    }

    /// <summary>Waits until every queued PUBACK/PUBREC went (a PUBREL follows its PUBREC, whose store must be done).</summary>
    private async Task FlushPendingAcksAsync()
    {
        var deadline = Environment.TickCount64 + 5000;
        while (Volatile.Read(ref _acksQueued) > 0 && Environment.TickCount64 < deadline && _closed == 0)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    /// <summary>PUBREC from the client: the stream message is acked, a PUBREL record is stored and the PUBREL follows from it.</summary>
    private async Task OnPubRecAsync(ushort packetId)
    {
        string? ackReply;
        lock (_outboundLock)
        {
            if (!_inFlight.TryGetValue(packetId, out var entry) || entry.PubRel)
            {
                return;
            }
            _inFlightBySequence.Remove((entry.Consumer, entry.Sequence));
            _inFlight[packetId] = new InFlight(PubRelKey, 0, null) { PubRel = true };
            ackReply = entry.AckReply;
        }
        if (_account is not { } account)
        {
            return;
        }
        if (ackReply is not null)
        {
            account.Js.Publish(ackReply);
        }
        if (_pubRelConsumer)
        {
            try
            {
                await account.Js.StoreAsync(StreamNames.PubRelPrefix + Nuid.Hash8(ClientId),
                    Encoding.ASCII.GetBytes($"NATS/1.0\r\n{PubRelHeader}:{packetId}\r\n\r\n"), ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is JsApiException or TimeoutException)
            {
                MqttLog.PubRelNotStored(_runtime.Logger, RemoteText, ClientId, packetId, e.Message);
            }
        }
        Send(new MqttPubRelPacket { PacketIdentifier = packetId, ReasonCode = MqttPubRelReasonCode.Success });
    }

    private const string PubRelKey = "$pubrel";

    /// <summary>A PUBREL record from the session's PUBREL consumer: (re)sends the PUBREL and tracks its ack until PUBCOMP.</summary>
    private ValueTask OnPubRelRecord(InProcessMessage message)
    {
        if (_closed != 0 || message.Reply is null || !NatsHeaders.TryGet(message.Headers.Span, "Nmqtt-PubRel"u8, out var value) ||
            !ushort.TryParse(Encoding.ASCII.GetString(value), NumberStyles.None, CultureInfo.InvariantCulture, out var packetId) || packetId == 0)
        {
            return ValueTask.CompletedTask;
        }
        AckReply.TryParse(message.Reply, out _, out var sequence);
        lock (_outboundLock)
        {
            if (_inFlight.TryGetValue(packetId, out var entry) && !entry.PubRel)
            {
                // The ID went to a new message since: this PUBREL is stale for the client.
                _account?.Js.Publish(message.Reply);
                return ValueTask.CompletedTask;
            }
            _inFlight[packetId] = new InFlight(PubRelKey, sequence, message.Reply) { PubRel = true };
        }
        Send(new MqttPubRelPacket { PacketIdentifier = packetId, ReasonCode = MqttPubRelReasonCode.Success });
        return ValueTask.CompletedTask;
    }

    /// <summary>PUBCOMP: the QoS 2 delivery is complete; its PUBREL record is acked.</summary>
    private Task OnPubCompAsync(ushort packetId)
    {
        string? ackReply;
        lock (_outboundLock)
        {
            if (!_inFlight.TryGetValue(packetId, out var entry) || !entry.PubRel)
            {
                return Task.CompletedTask;
            }
            _inFlight.Remove(packetId);
            ackReply = entry.AckReply;
        }
        if (ackReply is not null)
        {
            _account?.Js.Publish(ackReply);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The session's PUBREL consumer (<c>$MQTT_PUBREL_&lt;hash&gt;</c> on <c>$MQTT_out</c>, deliver
    /// <c>$MQTT.deliver.pubrel.&lt;hash&gt;</c>), created with the first QoS 2 subscription and
    /// resumed with the session.
    /// </summary>
    private async Task EnsurePubRelConsumerAsync()
    {
        if (_account is not { } account)
        {
            return;
        }
        var hash = Nuid.Hash8(ClientId);
        _pubRelDelivery ??= account.Js.Connection.Subscribe(StreamNames.PubRelDeliverPrefix + hash, null, OnPubRelRecord);
        if (!_pubRelConsumer)
        {
            await account.CreateConsumerAsync(StreamNames.Out, StreamNames.PubRelDurablePrefix + hash, StreamNames.PubRelDeliverPrefix + hash,
                [StreamNames.PubRelPrefix + hash], _runtime.Options, deliverPolicy: "all").ConfigureAwait(false);
            _pubRelConsumer = true;
        }
    }

    /// <summary>The session's PUBREL consumer goes (a clean session ends).</summary>
    private async Task DeletePubRelConsumerAsync()
    {
        _pubRelDelivery?.Dispose();
        _pubRelDelivery = null;
        if (_pubRelConsumer && _account is { } account)
        {
            _pubRelConsumer = false;
            await account.DeleteConsumerAsync(StreamNames.Out, StreamNames.PubRelDurablePrefix + Nuid.Hash8(ClientId)).ConfigureAwait(false);
        }
    }
}
