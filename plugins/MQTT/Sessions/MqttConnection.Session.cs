using System.Buffers;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Store;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

/// <summary>The client ID is stored for another client ID with the same hash (nats-server: CONNACK 0x02).</summary>
internal sealed class SessionCollisionException() : InvalidOperationException("stored session does not match client ID");

internal sealed partial class MqttConnection
{
    // Set at CONNECT, then owned by the read loop (the close path runs after it).
    private MqttAccount? _account;
    private SessionRecord? _session;
    private OutgoingMessage? _will;

    /// <summary>Whether the session outlives the connection: MQTT 3.1.1 clean session 0, MQTT 5 a session expiry interval.</summary>
    private bool KeepAfterClose => IsV5 ? _sessionExpiry > 0 : !_cleanSession;

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
        _willDelay = IsV5 ? connect.WillDelayInterval : 0;
        return true;
    }

    /// <summary>Publishes the will (any close but a normal DISCONNECT), as the client would have: QoS and retain included.</summary>
    private async Task PublishWillAsync()
    {
        if (_will is not { } will || KernelClient is null)
        {
            return;
        }
        _will = null;
        // The kernel routes it within the call: nothing to flush or wait for before its client closes.
        await PublishAsync(will, packetId: 0, acknowledge: false).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens the account's MQTT state and the stored session of the client ID (nats-server's
    /// <c>createOrRestoreSession</c>): a clean start, a clean stored session or an expired one is
    /// discarded (its consumers and record deleted). True when a session is resumed.
    /// </summary>
    private async Task<bool> OpenSessionAsync()
    {
        _account = await _runtime.AccountAsync(KernelClient!.Account).ConfigureAwait(false);
        var record = await _account.LoadSessionAsync(ClientId).ConfigureAwait(false);
        if (record is not null && record.Id != ClientId)
        {
            throw new SessionCollisionException();
        }
        if (record is not null && (_cleanSession || record.Clean || record.ExpiredAt(DateTimeOffset.UtcNow.ToUnixTimeSeconds())))
        {
            await DiscardSessionAsync(record).ConfigureAwait(false);
            record = null;
        }
        var present = record is not null;
        _session = record ?? new SessionRecord { Id = ClientId };
        _session.Clean = !KeepAfterClose;
        _session.Expiry = IsV5 ? _sessionExpiry : 0;
        _session.Disconnected = 0;
        if (KeepAfterClose || present)
        {
            // A kept session is stored at once, so the next CONNECT finds it even without subscriptions.
            await _account.SaveSessionAsync(_session, _runtime.Options).ConfigureAwait(false);
        }
        return present;
    }

    private Task DiscardSessionAsync(SessionRecord record) => _account!.DiscardSessionAsync(record);

    /// <summary>After CONNACK: the stored subscriptions come back (kernel subscriptions, and the consumers' deliveries, which resume with what was queued).</summary>
    private async Task OnSessionOpenedAsync()
    {
        if (_session is { PubRel: true })
        {
            try
            {
                // PUBRELs not completed before are sent again.
                await EnsurePubRelConsumerAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                MqttLog.PubRelConsumerNotResumed(_runtime.Logger, RemoteText, ClientId, e.Message);
            }
        }
        if (_session is not { Filters.Count: > 0 } session)
        {
            return;
        }
        var restored = new List<MqttSubscription>(session.Filters.Count);
        foreach (var stored in session.Filters)
        {
            var subscription = new MqttSubscription
            {
                Filter = stored.Filter,
                Subject = stored.Subject,
                Queue = stored.Queue,
                Qos = stored.Qos,
                WildcardStart = Topics.MqttTopics.StartsWithWildcard(stored.Filter),
                NoLocal = stored.NoLocal,
                RetainAsPublished = stored.RetainAsPublished,
                RetainHandling = stored.RetainHandling,
                Identifier = stored.Identifier,
            };
            if (stored.Durable is not null && stored.DeliverSubject is not null)
            {
                subscription.Consumer = new SubscriptionConsumer(stored.Durable, stored.DeliverSubject,
                    stored.FilterSubjects ?? ConsumerFilters(stored.Subject), shared: stored.Queue is not null);
            }
            if (AddKernelSubscription(subscription) is not null)
            {
                // The user may no longer subscribe there (permissions changed while it was away):
                // the filter stays in the session, as a SUBACK was given for it, but gets nothing
                // from NATS (its consumer's deliveries are checked against the permissions too).
                MqttLog.SubscribeNotAuthorized(_runtime.Logger, RemoteText, ClientId, subscription.Filter);
            }
            restored.Add(subscription);
        }
        foreach (var subscription in restored)
        {
            if (subscription.Consumer is not null)
            {
                try
                {
                    await StartConsumerAsync(subscription).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException)
                {
                    MqttLog.ConsumerNotResumed(_runtime.Logger, RemoteText, ClientId, subscription.Filter, e.Message);
                }
            }
        }
    }

    /// <summary>
    /// Before the kernel client goes: deliveries stop; a kept session gives its unacknowledged
    /// messages back (NAK: redelivered with DUP at once when the client returns), a clean one
    /// deletes its consumers and record.
    /// </summary>
    private async Task OnSessionClosingAsync()
    {
        StopDeliveries();
        if (_account is null || _session is null)
        {
            return;
        }
        if (KeepAfterClose)
        {
            ReleaseUnacknowledged();
            if (IsV5)
            {
                // The expiry interval runs from now (the DISCONNECT may have changed it).
                _session.Expiry = _sessionExpiry;
                _session.Disconnected = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                _session.Clean = false;
                await _account.SaveSessionAsync(_session, _runtime.Options).ConfigureAwait(false);
                _runtime.ExpireLater(_account, RegistryKey, _session.Id, _session.Disconnected, _session.Expiry);
            }
            return;
        }
        foreach (var subscription in _subscriptions.Values)
        {
            await DeleteConsumerAsync(subscription).ConfigureAwait(false);
        }
        await DeletePubRelConsumerAsync().ConfigureAwait(false);
        await _account.DeleteSessionAsync(_session).ConfigureAwait(false);
    }

    /// <summary>Ends the in-process subscriptions on the deliver subjects.</summary>
    private void StopDeliveries()
    {
        _pubRelDelivery?.Dispose();
        _pubRelDelivery = null;
        foreach (var subscription in _subscriptions.Values)
        {
            if (subscription.Consumer is { } consumer)
            {
                consumer.Delivery?.Dispose();
                consumer.Delivery = null;
            }
        }
    }

    /// <summary>Writes the session record from the subscriptions in force (after SUBSCRIBE/UNSUBSCRIBE).</summary>
    private async Task PersistSessionAsync()
    {
        if (_account is null || _session is null)
        {
            return;
        }
        _session.Filters.Clear();
        _session.PubRel = _pubRelConsumer;
        foreach (var s in _subscriptions.Values)
        {
            _session.Filters.Add(new StoredSubscription(s.Filter, s.Subject, s.Queue, s.Qos, s.NoLocal, s.RetainAsPublished, s.RetainHandling,
                s.Identifier, s.Consumer?.Durable, s.Consumer?.DeliverSubject, s.Consumer?.Filters));
        }
        // A clean session is stored only while it has consumers, so a crash leaves them findable.
        if (KeepAfterClose || _session.Sequence != 0 || _session.Filters.Any(f => f.Durable is not null))
        {
            await _account.SaveSessionAsync(_session, _runtime.Options).ConfigureAwait(false);
        }
    }

    /// <summary>The stream subjects a QoS 1/2 subscription's consumer takes.</summary>
    private static string[] ConsumerFilters(string subject) =>
        Topics.MqttTopics.NeedsLevelUp(subject)
            ? [StreamNames.MessagesPrefix + subject, StreamNames.MessagesPrefix + subject[..^2]]
            : [StreamNames.MessagesPrefix + subject];

    /// <summary>
    /// Creates (or resumes) the subscription's consumer and listens on its deliver subject. A
    /// shared subscription's consumer belongs to its group (one per group and filter, delivered
    /// to one member at a time through a queue subscription).
    /// </summary>
    private async Task StartConsumerAsync(MqttSubscription subscription)
    {
        var joins = false;
        if (subscription.Consumer is null)
        {
            if (subscription.Queue is { } group)
            {
                var key = Nuid.Hash8(group + "\n" + subscription.Subject) + Nuid.Hash8(subscription.Subject + "\n" + group);
                subscription.Consumer = new SubscriptionConsumer(StreamNames.SharedDurablePrefix + key, StreamNames.DeliverPrefix + "share." + key, ConsumerFilters(subscription.Subject), shared: true);
                // A new member of the group (a restored session or a re-SUBSCRIBE is counted already).
                joins = true;
            }
            else
            {
                subscription.Consumer = new SubscriptionConsumer(Nuid.Hash8(ClientId) + "_" + Nuid.Next(), StreamNames.DeliverPrefix + Nuid.Next(),
                    ConsumerFilters(subscription.Subject), shared: false);
            }
        }
        var consumer = subscription.Consumer;
        consumer.Subscription = subscription;
        consumer.Delivery ??= _account!.Js.Connection.Subscribe(consumer.DeliverSubject, subscription.Queue, message => OnStoredMessage(consumer, message));
        var account = _account!;
        var options = _runtime.Options;
        Task Create() => account.CreateConsumerAsync(StreamNames.Messages, consumer.Durable, consumer.DeliverSubject, consumer.Filters, options,
            deliverGroup: subscription.Queue);
        if (joins)
        {
            await account.JoinShareAsync(consumer.Durable, Create).ConfigureAwait(false);
        }
        else
        {
            await Create().ConfigureAwait(false);
        }
    }

    /// <summary>Ends a subscription's consumer: its deliveries, its messages in flight, and the consumer itself (a group's when its last session leaves).</summary>
    private async Task DeleteConsumerAsync(MqttSubscription subscription)
    {
        if (subscription.Consumer is not { } consumer)
        {
            return;
        }
        subscription.Consumer = null;
        consumer.Delivery?.Dispose();
        consumer.Delivery = null;
        ForgetInFlight(consumer.Durable);
        if (_account is null)
        {
            return;
        }
        if (consumer.Shared)
        {
            await _account.LeaveShareAsync(consumer.Durable).ConfigureAwait(false);
        }
        else
        {
            await _account.DeleteConsumerAsync(StreamNames.Messages, consumer.Durable).ConfigureAwait(false);
        }
    }

}
