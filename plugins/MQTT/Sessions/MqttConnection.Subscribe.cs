using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Mqtt.Topics;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

internal sealed partial class MqttConnection
{
    private readonly Dictionary<string, MqttSubscription> _subscriptions = new(StringComparer.Ordinal);
    // Sid -> subscription, read by publishers' threads: created by the read loop with the first
    // subscription (a connection that never subscribes holds no concurrent table).
    private volatile ConcurrentDictionary<long, MqttSubscription>? _bySid;
    private long _nextSid;

    /// <summary>SUBSCRIBE: kernel subscriptions per filter, checked by the kernel's permissions, then SUBACK.</summary>
    private async Task SubscribeAsync(MqttSubscribePacket packet)
    {
        if (packet.PacketIdentifier == 0 || packet.TopicFilters.Count == 0)
        {
            // [MQTT-3.8.3-3]: a SUBSCRIBE without filters is a protocol violation.
            SendDisconnect(MqttDisconnectReasonCode.ProtocolError);
            throw new InvalidOperationException("SUBSCRIBE without topic filters");
        }
        var codes = new MqttSubscribeReasonCode[packet.TopicFilters.Count];
        var added = new MqttSubscription?[packet.TopicFilters.Count];
        var replaced = new MqttSubscription?[packet.TopicFilters.Count];
        var refused = new bool[packet.TopicFilters.Count];
        for (var i = 0; i < packet.TopicFilters.Count; i++)
        {
            var filter = packet.TopicFilters[i];
            var (code, subscription) = Prepare(filter, packet.SubscriptionIdentifier);
            codes[i] = code;
            if (subscription is null)
            {
                continue;
            }
            if (_subscriptions.Remove(subscription.Key, out var previous))
            {
                RemoveKernelSubscription(previous);
                replaced[i] = previous;
            }
            refused[i] = AddKernelSubscription(subscription) is not null;
            added[i] = subscription;
        }
        for (var i = 0; i < added.Length; i++)
        {
            if (added[i] is not { } subscription)
            {
                continue;
            }
            // A re-SUBSCRIBE keeps the consumer (nothing queued is lost) unless it is now QoS 0.
            if (replaced[i]?.Consumer is { } kept)
            {
                replaced[i]!.Consumer = null;
                if (subscription.Qos > 0)
                {
                    subscription.Consumer = kept;
                    kept.Subscription = subscription;
                }
                else
                {
                    await DeleteConsumerAsync(new MqttSubscription { Filter = "", Subject = "", Consumer = kept }).ConfigureAwait(false);
                }
            }
            if (refused[i])
            {
                MqttLog.SubscribeNotAuthorized(_runtime.Logger, RemoteText, ClientId, subscription.Filter);
                codes[i] = IsV5 ? MqttSubscribeReasonCode.NotAuthorized : MqttSubscribeReasonCode.UnspecifiedError;
                RemoveSubscription(subscription);
                await DeleteConsumerAsync(subscription).ConfigureAwait(false);
                added[i] = null;
                continue;
            }
            if (subscription.Qos > 0 && _account is not null)
            {
                try
                {
                    if (subscription.Qos == 2)
                    {
                        await EnsurePubRelConsumerAsync().ConfigureAwait(false);
                    }
                    await StartConsumerAsync(subscription).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException)
                {
                    MqttLog.ConsumerNotAdded(_runtime.Logger, RemoteText, ClientId, subscription.Filter, e.Message);
                    codes[i] = MqttSubscribeReasonCode.UnspecifiedError;
                    RemoveSubscription(subscription);
                    await DeleteConsumerAsync(subscription).ConfigureAwait(false);
                    added[i] = null;
                }
            }
        }
        await PersistSessionAsync().ConfigureAwait(false);
        Send(new MqttSubAckPacket { PacketIdentifier = packet.PacketIdentifier, ReasonCodes = [.. codes] });
        // Retained messages follow the SUBACK [MQTT-3.3.1-9].
        for (var i = 0; i < added.Length; i++)
        {
            if (added[i] is { } subscription)
            {
                await SendRetainedAsync(subscription, isNew: replaced[i] is null).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Subscribes the kernel client for a subscription and registers it: <c>x/#</c> also
    /// subscribes to <c>x</c>. Returns the kernel's refusal (its permissions, limits), or null.
    /// </summary>
    private string? AddKernelSubscription(MqttSubscription subscription)
    {
        subscription.Sid = ++_nextSid;
        var bySid = _bySid ??= new ConcurrentDictionary<long, MqttSubscription>();
        bySid[subscription.Sid] = subscription;
        var error = KernelSubscribe(subscription.Subject, subscription.Queue, subscription.Sid);
        if (MqttTopics.NeedsLevelUp(subscription.Subject))
        {
            subscription.LevelUpSid = ++_nextSid;
            bySid[subscription.LevelUpSid] = subscription;
            error ??= KernelSubscribe(subscription.Subject[..^2], subscription.Queue, subscription.LevelUpSid);
        }
        _subscriptions[subscription.Key] = subscription;
        UpdateNoLocal();
        return error;
    }

    private string? KernelSubscribe(string subject, string? queue, long sid)
    {
        Span<byte> sidText = stackalloc byte[20];
        Utf8Formatter.TryFormat(sid, sidText, out var length);
        return KernelClient!.SubscribeFromPlugin(Encoding.UTF8.GetBytes(subject), queue is null ? default : Encoding.UTF8.GetBytes(queue), sidText[..length]);
    }

    private void KernelUnsubscribe(long sid)
    {
        Span<byte> sidText = stackalloc byte[20];
        Utf8Formatter.TryFormat(sid, sidText, out var length);
        KernelClient!.UnsubscribeFromPlugin(sidText[..length]);
    }

    /// <summary>Checks one filter and builds its subscription, or gives the refusal code.</summary>
    private (MqttSubscribeReasonCode Code, MqttSubscription? Subscription) Prepare(MqttTopicFilter filter, uint identifier)
    {
        var invalid = IsV5 ? MqttSubscribeReasonCode.TopicFilterInvalid : MqttSubscribeReasonCode.UnspecifiedError;
        var topic = filter.Topic ?? "";
        string? queue = null;
        if (IsV5 && topic.StartsWith("$share/", StringComparison.Ordinal))
        {
            // $share/<group>/<filter> [MQTT-4.8.2]: the group is a NATS queue group.
            var slash = topic.IndexOf('/', 7);
            if (slash <= 7 || slash == topic.Length - 1)
            {
                return (invalid, null);
            }
            queue = topic[7..slash];
            if (queue.AsSpan().IndexOfAny("+#. \t") >= 0 || filter.NoLocal)
            {
                // [MQTT-3.8.3-4]: No Local on a shared subscription is a protocol error; a group with wildcards is invalid.
                return (invalid, null);
            }
            topic = topic[(slash + 1)..];
        }
        if (topic.Length == 0 || !ValidFilter(topic))
        {
            return (invalid, null);
        }
        var subject = MqttTopics.ToSubject(topic, wildcardsAllowed: true, out var error);
        if (subject is null)
        {
            MqttLog.InvalidFilter(_runtime.Logger, RemoteText, ClientId, topic, error);
            return (invalid, null);
        }
        if (MqttTopics.IsReserved(subject))
        {
            return (MqttSubscribeReasonCode.UnspecifiedError, null);
        }
        var qos = (int)filter.QualityOfServiceLevel;
        if (qos == 2 && _runtime.Options.DowngradeQos2Subscribe)
        {
            qos = 1;
        }
        return ((MqttSubscribeReasonCode)qos, new MqttSubscription
        {
            Filter = topic,
            Subject = subject,
            Queue = queue,
            Qos = qos,
            WildcardStart = MqttTopics.StartsWithWildcard(topic),
            NoLocal = filter.NoLocal,
            RetainAsPublished = filter.RetainAsPublished,
            RetainHandling = (int)filter.RetainHandling,
            Identifier = identifier,
        });
    }

    /// <summary>[MQTT-4.7.1]: <c>#</c> only last and alone in its level, <c>+</c> alone in its level.</summary>
    private static bool ValidFilter(string filter)
    {
        for (var i = 0; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c is '#' or '+')
            {
                var alone = (i == 0 || filter[i - 1] == '/') && (i == filter.Length - 1 || filter[i + 1] == '/');
                if (!alone || (c == '#' && i != filter.Length - 1))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>UNSUBSCRIBE: removes the filters' kernel subscriptions (and consumers), then UNSUBACK.</summary>
    private async Task UnsubscribeAsync(MqttUnsubscribePacket packet)
    {
        if (packet.PacketIdentifier == 0 || packet.TopicFilters.Count == 0)
        {
            SendDisconnect(MqttDisconnectReasonCode.ProtocolError);
            throw new InvalidOperationException("UNSUBSCRIBE without topic filters");
        }
        var codes = new List<MqttUnsubscribeReasonCode>(packet.TopicFilters.Count);
        foreach (var filter in packet.TopicFilters)
        {
            if (_subscriptions.TryGetValue(filter, out var subscription))
            {
                RemoveSubscription(subscription);
                await DeleteConsumerAsync(subscription).ConfigureAwait(false);
                codes.Add(MqttUnsubscribeReasonCode.Success);
            }
            else
            {
                codes.Add(MqttUnsubscribeReasonCode.NoSubscriptionExisted);
            }
        }
        await PersistSessionAsync().ConfigureAwait(false);
        Send(new MqttUnsubAckPacket { PacketIdentifier = packet.PacketIdentifier, ReasonCodes = codes });
    }

    private void RemoveSubscription(MqttSubscription subscription)
    {
        _subscriptions.Remove(subscription.Key);
        RemoveKernelSubscription(subscription);
    }

    /// <summary>Removes the kernel subscription(s) of a subscription.</summary>
    private void RemoveKernelSubscription(MqttSubscription subscription)
    {
        _bySid?.TryRemove(subscription.Sid, out _);
        KernelUnsubscribe(subscription.Sid);
        if (subscription.LevelUpSid != 0)
        {
            _bySid?.TryRemove(subscription.LevelUpSid, out _);
            KernelUnsubscribe(subscription.LevelUpSid);
        }
        UpdateNoLocal();
    }
}
