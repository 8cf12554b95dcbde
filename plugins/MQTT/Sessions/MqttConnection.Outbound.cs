using Nats.Core.Plugins;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Store;
using Nats.Mqtt.Topics;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// QoS 1/2 deliveries to the client (nats-server's <c>trackPublish</c>): each message a consumer
/// delivers gets a packet ID, tracked with its JetStream ack subject until the client's PUBACK
/// acks it in the stream. A redelivery (after ack_wait, or after a reconnect: the closing
/// connection NAKs what it had in flight) goes with DUP and, while still tracked, the same packet
/// ID. At most <see cref="_maxInFlight"/> are in flight; beyond that a delivery is left to
/// JetStream's redelivery, as nats-server does.
/// </summary>
internal sealed partial class MqttConnection
{
    // Everything below is guarded by _outboundLock: consumer delivery tasks, the read loop (PUBACK) and the close path use it.
    private readonly Lock _outboundLock = new();
    private readonly Dictionary<ushort, InFlight> _inFlight = [];
    private readonly Dictionary<(string Consumer, ulong Sequence), ushort> _inFlightBySequence = [];
    private ushort _lastPacketId;
    private int _maxInFlight = MqttConfigDefaults.MaxInFlight;

    /// <summary>A QoS 1/2 PUBLISH waiting for its PUBACK: the consumer and stream sequence it came from and where to ack it (null for a retained message).</summary>
    private sealed record InFlight(string Consumer, ulong Sequence, string? AckReply)
    {
        /// <summary>QoS 2, PUBREC received: waiting for the PUBCOMP of the PUBREL (AckReply: the PUBREL record's).</summary>
        public bool PubRel { get; init; }
    }

    private static readonly byte[] RetryLater = "-NAK {\"delay\": 1000000000}"u8.ToArray();

    // A give-back that outlives a server restart: a NAK with a delay (1 ns: due at once) moves the
    // delivery time in the consumer's stored state. A plain NAK only queues the redelivery in
    // memory (nats-server's too), so after a restart the message would wait out ack_wait.
    private static readonly byte[] GiveBack = "-NAK {\"delay\": 1}"u8.ToArray();

    /// <summary>A message from a subscription's consumer (on that subscription's delivery task).</summary>
    private ValueTask OnStoredMessage(SubscriptionConsumer consumer, InProcessMessage message)
    {
        if (_account is not { } account ||
            !AckReply.TryParse(message.Reply, out var delivered, out var sequence, out _, out var storedAt) ||
            !message.Subject.StartsWith(StreamNames.MessagesPrefix, StringComparison.Ordinal))
        {
            // Idle heartbeats and flow control are not asked for; anything else without an ack subject is not a delivery.
            return ValueTask.CompletedTask;
        }
        if (_closed != 0 || consumer.Subscription is not { } subscription)
        {
            // Delivered while the connection closes: given back at once rather than after ack_wait.
            account.Js.Publish(message.Reply!, GiveBack);
            return ValueTask.CompletedTask;
        }
        var subject = System.Text.Encoding.UTF8.GetBytes(message.Subject)[StreamNames.MessagesPrefix.Length..];
        if (subscription.WildcardStart && subject.Length > 0 && subject[0] == (byte)'$')
        {
            // [MQTT-4.7.2-1]: acked and dropped, as nats-server does for reserved subjects.
            account.Js.Publish(message.Reply!);
            return ValueTask.CompletedTask;
        }
        if (DeliveryDenied(subject, subscription) || (subscription.NoLocal && NatsHeaders.PublishedBy(message.Headers.Span, _sourceIdBytes)))
        {
            // A wildcard overlapping a deny clause (the kernel filters its own deliveries the same
            // way, as nats-server's checkDenySub), or MQTT 5 No Local: acked and dropped.
            account.Js.Publish(message.Reply!);
            return ValueTask.CompletedTask;
        }
        var qos = Math.Min(Math.Max(NatsHeaders.PublishedQos(message.Headers.Span), 1), subscription.Qos);
        var retain = subscription.RetainAsPublished && NatsHeaders.PublishedRetain(message.Headers.Span);
        var remaining = RemainingExpiry(message.Headers.Span, storedAt);
        if (remaining == 0)
        {
            // Its message expiry interval ran out while it waited: acked and dropped [MQTT-3.3.2-5].
            account.Js.Publish(message.Reply!);
            return ValueTask.CompletedTask;
        }
        Span<byte> topicBuffer = subject.Length <= 1024 ? stackalloc byte[subject.Length] : new byte[subject.Length];
        var topic = topicBuffer[..MqttTopics.ToTopic(subject, topicBuffer)];
        lock (_outboundLock)
        {
            var packetId = Track(consumer.Durable, sequence, message.Reply, out var tracked);
            if (packetId == 0)
            {
                // Too many in flight (several subscriptions, or a small MQTT 5 Receive Maximum): offered
                // again in a second instead of after the whole ack_wait, as nats-server would.
                account.Js.Publish(message.Reply!, RetryLater);
                return ValueTask.CompletedTask;
            }
            var properties = default(ReadOnlySpan<byte>);
            if (IsV5)
            {
                var writer = PropertyWriter.ForThread;
                DeliveryProperties(writer, subscription, default, message.Headers.Span);
                if (remaining > 0)
                {
                    // [MQTT-3.3.2-6]: the interval forwarded is what is left of it.
                    writer.UInt32(0x02, (uint)remaining);
                }
                properties = writer.Written;
            }
            if (!WritePublish(topic, qos, retain, dup: tracked || delivered > 1, packetId, properties, message.Payload.Span))
            {
                // Larger than the client's Maximum Packet Size: dropped as if delivered [MQTT-3.1.2-25].
                _inFlight.Remove(packetId);
                _inFlightBySequence.Remove((consumer.Durable, sequence));
                account.Js.Publish(message.Reply!);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Whether the kernel client's subscribe permissions deny this subject to the subscription (a wildcard overlapping a deny clause).</summary>
    private bool DeliveryDenied(ReadOnlySpan<byte> subject, MqttSubscription subscription) =>
        KernelClient?.Permissions is { } permissions &&
        permissions.IsDeliveryDenied(subject, subscription.Queue is { } queue ? System.Text.Encoding.UTF8.GetBytes(queue) : default);

    /// <summary>
    /// What is left of a stored message's expiry interval (its <c>Nats-TTL</c>, from the MQTT 5
    /// message expiry interval) in seconds: -1 without one, 0 when it ran out.
    /// </summary>
    private static long RemainingExpiry(ReadOnlySpan<byte> headers, long storedAtUnixNanoseconds)
    {
        if (!NatsHeaders.TryGet(headers, "Nats-TTL"u8, out var ttl) || ttl.Length < 2 || ttl[^1] != (byte)'s' ||
            !long.TryParse(ttl[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            return -1;
        }
        var age = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 - storedAtUnixNanoseconds) / 1_000_000_000;
        return Math.Max(0, seconds - Math.Max(0, age));
    }

    /// <summary>Encodes a PUBLISH into the outbound buffer and wakes the writer; false when it exceeds the client's Maximum Packet Size (not sent).</summary>
    private bool WritePublish(ReadOnlySpan<byte> topic, int qos, bool retain, bool dup, ushort packetId, ReadOnlySpan<byte> properties, ReadOnlySpan<byte> payload)
    {
        var output = _output.Begin();
        if (output is null)
        {
            return true;
        }
        try
        {
            if (!FitsClient(topic, qos, properties.Length, payload.Length, out var alias, out var known))
            {
                return false;
            }
            PublishEncoder.Write(output, IsV5, topic, qos, retain, dup, packetId, properties, payload, alias, known);
            return true;
        }
        finally
        {
            _output.End();
        }
    }

    /// <summary>The packet ID of a delivery (the one it already has when redelivered), or 0 when too many are in flight. The lock is held.</summary>
    private ushort Track(string consumer, ulong sequence, string? ackReply, out bool tracked)
    {
        if (_inFlightBySequence.TryGetValue((consumer, sequence), out var packetId))
        {
            tracked = true;
            _inFlight[packetId] = new InFlight(consumer, sequence, ackReply);
            return packetId;
        }
        tracked = false;
        if (_inFlight.Count >= _maxInFlight || (packetId = NextPacketId()) == 0)
        {
            return 0;
        }
        _inFlight[packetId] = new InFlight(consumer, sequence, ackReply);
        _inFlightBySequence[(consumer, sequence)] = packetId;
        return packetId;
    }

    /// <summary>The next free packet ID after the last one used (a rolling counter, so a freed ID is not reused at once) or 0.</summary>
    private ushort NextPacketId()
    {
        var next = _lastPacketId;
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            next = next == ushort.MaxValue ? (ushort)1 : (ushort)(next + 1);
            if (!_inFlight.ContainsKey(next))
            {
                _lastPacketId = next;
                return next;
            }
        }
        return 0;
    }

    /// <summary>PUBACK: the message is acked in its stream.</summary>
    private Task OnPubAckAsync(ushort packetId)
    {
        string? ackReply;
        lock (_outboundLock)
        {
            if (!_inFlight.TryGetValue(packetId, out var entry) || entry.PubRel)
            {
                return Task.CompletedTask;
            }
            _inFlight.Remove(packetId);
            _inFlightBySequence.Remove((entry.Consumer, entry.Sequence));
            ackReply = entry.AckReply;
        }
        if (ackReply is not null)
        {
            _account?.Js.Publish(ackReply);
        }
        return Task.CompletedTask;
    }

    /// <summary>A kept session's connection ends: what it had in flight is NAKed, so the next connection gets it at once (with DUP).</summary>
    private void ReleaseUnacknowledged()
    {
        List<string> replies;
        lock (_outboundLock)
        {
            replies = [.. _inFlight.Values.Where(e => e.AckReply is not null).Select(e => e.AckReply!)];
            _inFlight.Clear();
            _inFlightBySequence.Clear();
        }
        foreach (var reply in replies)
        {
            _account!.Js.Publish(reply, GiveBack);
        }
    }

    /// <summary>A consumer went (UNSUBSCRIBE, QoS 0 re-subscribe): its messages in flight are no longer tracked.</summary>
    private void ForgetInFlight(string consumer)
    {
        lock (_outboundLock)
        {
            foreach (var (packetId, entry) in _inFlight.Where(e => e.Value.Consumer == consumer).ToList())
            {
                _inFlight.Remove(packetId);
                _inFlightBySequence.Remove((entry.Consumer, entry.Sequence));
            }
        }
    }

    /// <summary>
    /// After the SUBACK of a new (or replaced) subscription: the retained messages it matches,
    /// RETAIN set [MQTT-3.3.1-8], QoS the lower of the message's and the subscription's, in
    /// flight like any QoS 1 delivery (without a stream ack). MQTT 5 retain handling 1 sends
    /// them only to a new subscription, 2 never.
    /// </summary>
    private async Task SendRetainedAsync(MqttSubscription subscription, bool isNew)
    {
        if (_account is null || subscription.RetainHandling == 2 || (subscription.RetainHandling == 1 && !isNew))
        {
            return;
        }
        var messages = await _account.RetainedForAsync(subscription.Subject, MqttTopics.NeedsLevelUp(subscription.Subject)).ConfigureAwait(false);
        foreach (var message in messages)
        {
            if ((subscription.WildcardStart && message.Subject.StartsWith('$')) || DeliveryDenied(System.Text.Encoding.UTF8.GetBytes(message.Subject), subscription))
            {
                continue;
            }
            var qos = Math.Min(message.Qos, subscription.Qos);
            var topic = System.Text.Encoding.UTF8.GetBytes(message.Topic);
            lock (_outboundLock)
            {
                ushort packetId = 0;
                if (qos > 0 && (packetId = Track("$retained/" + subscription.Key, message.Sequence, null, out _)) == 0)
                {
                    // Too many in flight: the best that can be done is QoS 0 (nats-server does the same).
                    qos = 0;
                }
                var properties = IsV5 ? DeliveryProperties(PropertyWriter.ForThread, subscription, default, message.Headers) : default;
                if (!WritePublish(topic, qos, retain: true, dup: false, packetId, properties, message.Payload) && packetId != 0)
                {
                    _inFlight.Remove(packetId);
                    _inFlightBySequence.Remove(("$retained/" + subscription.Key, message.Sequence));
                }
            }
        }
        MqttLog.RetainedSent(_runtime.Logger, RemoteText, ClientId, messages.Count, subscription.Filter);
    }
}

/// <summary>Defaults of the outbound window.</summary>
internal static class MqttConfigDefaults
{
    /// <summary>QoS 1/2 messages in flight to one client before the first CONNECT sets the window (max_ack_pending, MQTT 5 receive maximum).</summary>
    public const int MaxInFlight = 1024;
}
