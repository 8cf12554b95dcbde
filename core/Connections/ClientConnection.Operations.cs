using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Core.Protocol;
using Nats.Core.Subjects;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private void Execute(ref ClientCommand command)
    {
        if (command.Op != ClientOp.Connect && !_connectReceived && !AllowedBeforeConnect())
        {
            return;
        }
        switch (command.Op)
        {
            case ClientOp.Pub:
            case ClientOp.HPub:
                Publish(ref command);
                break;
            case ClientOp.Sub:
                if (TrySubscribe(command.Subject, command.Queue, command.Sid) is { } refused)
                {
                    SendError(refused);
                }
                break;
            case ClientOp.Unsub:
                Unsubscribe(command.Sid, command.MaxMessages);
                break;
            case ClientOp.Ping:
                OnPing();
                break;
            case ClientOp.Pong:
                OnPong();
                break;
            case ClientOp.Connect:
                ProcessConnect(command.Argument);
                break;
            case ClientOp.Err:
                // A client's -ERR: nats-server logs it and closes.
                LogProtocolError($"Client Error {Encoding.UTF8.GetString(command.Argument)}");
                Close(ClosedReason.ParseError);
                break;
            case ClientOp.Info:
                // nats-server decodes a client's INFO as JSON (and then ignores it): one that is
                // not an INFO object is a protocol violation that closes the connection.
                if (ClientInfoCheck.Error(command.Argument) is { } error)
                {
                    LogProtocolError(error);
                    Close(ClosedReason.ProtocolViolation);
                }
                break;
            case ClientOp.Ok:
                break;
        }
    }

    private void Publish(ref ClientCommand command)
    {
        if (command.Op == ClientOp.HPub && !_headersEnabled)
        {
            // Headers were not negotiated in CONNECT: nats-server drops the connection.
            Close(ClosedReason.MsgHeaderViolation);
            return;
        }
        var payloadTrace = _deferredPayloadTrace;
        _deferredPayloadTrace = null;
        var cache = _matchCache;
        if (cache is null || !ReferenceEquals(cache.Sublist, Account.Sublist))
        {
            _matchCache = cache = new SublistMatchCache(Account.Sublist);
        }
        Route(command.Subject, command.Reply, command.Headers, command.Payload, cache, payloadTrace);
    }

    /// <summary>
    /// A client's publish from mappings to delivery: mappings, permissions and reserved
    /// subjects (an -ERR on refusal), then the subscribers. False when it was refused.
    /// <paramref name="payloadTrace"/> is the read loop's traced payload (-V), written after the mapping's trace line;
    /// <paramref name="applyMappings"/> is false for a plugin's publish it mapped itself.
    /// </summary>
    private bool Route(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, SublistMatchCache matchCache, string? payloadTrace = null, bool applyMappings = true)
    {
        if (Options.Pedantic && !SubjectValidator.IsValidLiteralSubject(subject))
        {
            SendError(ProtocolErrors.InvalidPublishSubject);
        }
        // The account's subject mappings apply before permissions and routing, as nats-server
        // maps in the parser: permissions and subscribers see the mapped subject.
        var mapped = applyMappings && Kind.IsClient && Account.Mappings is not null ? Account.MapSubject(subject) : null;
        if (payloadTrace is not null || (mapped is not null && Server.TraceProtocol))
        {
            TraceMapping(subject, mapped, payloadTrace);
        }
        if (mapped is not null)
        {
            if (mapped.Length == 0)
            {
                return true;
            }
            subject = mapped;
        }
        // Before permissions, as nats-server: no client may publish into the server's own
        // routed-reply space (gateways' _GR_.), whatever it is allowed.
        var authorization = _authorization;
        if ((Kind.IsClient && Server.IsReservedSubject(subject)) || (authorization.Permissions is { } permissions && !IsPublishAllowed(authorization, permissions, subject)))
        {
            SendError(ProtocolErrors.PublishViolation(subject));
            return false;
        }
        if (IsReservedReply(reply))
        {
            // The server's own reply prefixes (service imports, JetStream acks, gateways): a
            // client forging one could receive or hijack responses meant for someone else.
            SendError(ProtocolErrors.PublishReplyViolation(reply));
            return false;
        }
        if (Options.Verbose)
        {
            Send("+OK\r\n"u8);
        }

        var result = matchCache.Match(subject);
        var message = new MessageView(subject, reply, headers, payload);
        var delivered = !result.IsEmpty &&
            MessageRouter.Deliver(Account, result, message, MessageOrigin.FromClient(this, Options.Echo));
        if (!delivered && !reply.IsEmpty && Options.NoResponders)
        {
            SendNoResponders(subject, reply);
        }
        return true;
    }

    /// <summary>
    /// nats-server's isReservedReply, applied to client connections only: the kernel's
    /// service-import prefix, and those their owners reserved (<see cref="NatsServer.ReserveReplyPrefix"/>).
    /// </summary>
    private bool IsReservedReply(ReadOnlySpan<byte> reply) =>
        Kind.IsClient && !reply.IsEmpty && (reply.StartsWith("_R_."u8) || Server.IsReservedReply(reply));

    private bool IsPublishAllowed(ClientAuthorization authorization, ClientPermissions permissions, ReadOnlySpan<byte> subject)
    {
        if (permissions.Publish is null)
        {
            return true;
        }
        // The cache belongs to these permissions: a reload installing others starts afresh.
        var cache = authorization.PublishCache;
        if (!cache.TryGet(subject, out var allowed))
        {
            allowed = permissions.CanPublish(subject);
            if (allowed || permissions.Responses is null)
            {
                cache.Add(subject, allowed);
            }
        }
        return allowed || IsResponseAllowed(subject);
    }

    /// <summary>
    /// nats-server's no-responders status: a 503 HMSG on the requester's own reply
    /// subscription, sent only when it asked for no_responders (which requires headers).
    /// </summary>
    private void SendNoResponders(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply)
    {
        Subscription? target = null;
        foreach (var sub in Account.Sublist.Match(reply).Subscriptions)
        {
            if (ReferenceEquals(sub.Sink, this))
            {
                target = sub;
                break;
            }
        }
        if (target is null)
        {
            return;
        }
        var headerLength = 32 + subject.Length;
        var text = $"HMSG {Encoding.UTF8.GetString(reply)} {Encoding.UTF8.GetString(target.Sid)} {headerLength} {headerLength}\r\nNATS/1.0 503\r\nNats-Subject: {Encoding.UTF8.GetString(subject)}\r\n\r\n\r\n";
        Send(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>SUB: null when subscribed (or the connection closed meanwhile), else the <c>-ERR</c> text for the client.</summary>
    private string? TrySubscribe(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue, ReadOnlySpan<byte> sid)
    {
        if (!SubjectValidator.IsValidSubject(subject))
        {
            return ProtocolErrors.InvalidSubject;
        }
        if (_authorization.Permissions is { } permissions && !permissions.CanSubscribe(subject, queue))
        {
            return ProtocolErrors.SubscribeViolation(Encoding.UTF8.GetString(subject), queue.IsEmpty ? null : Encoding.UTF8.GetString(queue));
        }
        var options = Server.Options;
        if (options.MaxSubscriptionTokens > 0 && SubjectTokens.Count(subject) > options.MaxSubscriptionTokens)
        {
            return ProtocolErrors.SubscriptionTooManyTokens(subject);
        }

        var sidKey = Encoding.UTF8.GetString(sid);
        Subscription subscription;
        // Added to the sublist and announced under the lock a closing connection takes to
        // collect its subscriptions (RemoveAllSubscriptions), as nats-server inserts under c.mu:
        // a SUB racing the close either finishes first, and is collected and withdrawn after it
        // was announced, or sees the connection closed and does nothing. Without this a SUB
        // could land after the collection (an orphan in the sublist) or announce its RS+ after
        // the close withdrew it (interest never withdrawn at the routes).
        lock (_subscriptions)
        {
            if (IsClosed)
            {
                return null;
            }
            // nats-server checks the limit before the sid, so a reused sid at the limit is
            // refused too.
            var maxSubscriptions = _limits.Subscriptions(options.MaxSubscriptions);
            if (maxSubscriptions != AccountLimits.Unlimited && _subscriptions.Count >= maxSubscriptions)
            {
                return ProtocolErrors.MaxSubscriptions;
            }
            if (_subscriptions.ContainsKey(sidKey))
            {
                // nats-server keeps the existing subscription for a reused sid.
                if (Options.Verbose)
                {
                    Send("+OK\r\n"u8);
                }
                return null;
            }
            subscription = new Subscription(subject.ToArray(), queue.IsEmpty ? null : queue.ToArray(), this, sid.ToArray()) { Owner = this };
            _subscriptions.Add(sidKey, subscription);
            if (_authorization.Permissions is { } p && p.NeedsDeliveryFilter(subject, !queue.IsEmpty))
            {
                _deliveryFilterEnabled = true;
            }
            Account.Sublist.Insert(subscription);
            Server.OnSubscriptionAdded(Account, subscription);
        }
        if (Options.Verbose)
        {
            Send("+OK\r\n"u8);
        }
        return null;
    }

    private void Unsubscribe(ReadOnlySpan<byte> sid, long max)
    {
        Subscription? subscription;
        lock (_subscriptions)
        {
            _subscriptions.TryGetValue(Encoding.UTF8.GetString(sid), out subscription);
        }
        var remove = false;
        if (subscription is not null)
        {
            if (max > 0 && subscription.Delivered < max)
            {
                subscription.MaxMessages = max;
                // A delivery from another publisher may have reached the max between the
                // check and the assignment, while no limit was set yet to remove it.
                remove = subscription.Delivered >= max;
            }
            else
            {
                remove = true;
            }
        }
        // +OK before the removal, as nats-server's processUnsub (its trace shows OK, then DELSUB).
        if (Options.Verbose)
        {
            Send("+OK\r\n"u8);
        }
        if (remove)
        {
            RemoveSubscription(subscription!);
        }
    }

    /// <summary>Removes one subscription everywhere; safe from any thread, idempotent.</summary>
    internal void RemoveSubscription(Subscription subscription)
    {
        lock (_subscriptions)
        {
            var key = Encoding.UTF8.GetString(subscription.Sid);
            if (!_subscriptions.TryGetValue(key, out var current) || !ReferenceEquals(current, subscription))
            {
                return;
            }
            _subscriptions.Remove(key);
        }
        if (Server.TraceProtocol)
        {
            TraceRemoved(subscription);
        }
        subscription.MarkClosed();
        Account.Sublist.Remove(subscription);
        Server.OnSubscriptionRemoved(Account, subscription);
    }

    private void RemoveAllSubscriptions()
    {
        Subscription[] all;
        // IsClosed is already true: no SUB adds anything once this lock is taken (see Subscribe).
        lock (_subscriptions)
        {
            all = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }
        if (all.Length > 0)
        {
            ClosedSubscriptions = all;
            if (Server.TraceProtocol)
            {
                // Newest first, as nats-server lists them.
                for (var i = all.Length - 1; i >= 0; i--)
                {
                    TraceRemoved(all[i]);
                }
            }
        }
        // One pass over the sublist for all of them, not one lock round-trip each.
        Server.Router.RemoveSubscriptions(Account, all);
    }
}
