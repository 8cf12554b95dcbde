using System.Buffers;
using Nats.Core.Accounts;
using Nats.Core.Subjects;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

public sealed partial class LeafConnection
{
    private const int StackLineLimit = 1024;

    /// <summary>
    /// Sends <c>LMSG</c> (or <c>HMSG</c>) with the queue groups picked here. A peer without
    /// header support gets the payload alone, as nats-server does.
    /// </summary>
    public bool Forward(Account account, in MessageView message, ReadOnlySpan<byte[]> queues)
    {
        if (!_registered || IsClosed || !ReferenceEquals(account, _account) || !_permissions.MaySend(message.Subject) || !_jetStreamDeny.MaySend(message.Subject))
        {
            return false;
        }
        var withHeaders = HeadersEnabled && !message.Headers.IsEmpty;
        var headers = withHeaders ? message.Headers : default;
        var maxLength = LeafProtocolWriter.MessageLineLength(message.Subject, message.Reply, queues);
        byte[]? rented = null;
        var line = maxLength <= StackLineLimit ? stackalloc byte[StackLineLimit] : (rented = ArrayPool<byte>.Shared.Rent(maxLength));
        var length = LeafProtocolWriter.FormatMessageLine(line, message.Subject, message.Reply, queues, withHeaders ? headers.Length : -1, headers.Length + message.Payload.Length);
        var sent = SendMessage(line[..length], headers, message.Payload);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return sent;
    }

    /// <summary>
    /// The router addresses links through <see cref="Forward"/>; a direct delivery to one of
    /// this link's subscriptions forwards the same way.
    /// </summary>
    public bool Deliver(Subscription subscription, in MessageView message)
    {
        if (subscription.Owner is not Account account)
        {
            return false;
        }
        return Forward(account, message, subscription.Queue is null ? [] : [subscription.Queue]);
    }

    /// <summary>A message from the peer: published into our account; it never comes back over this link.</summary>
    private void DeliverInbound(ref LeafCommand command)
    {
        var account = _account;
        if (!_registered || account is null || !_permissions.MayReceive(command.Subject) || !_jetStreamDeny.MayReceive(command.Subject))
        {
            return;
        }
        // nats-server maps what a leaf sends as it maps a client's publish (CLIENT and LEAF kinds).
        ReadOnlySpan<byte> subject = command.Subject;
        if (account.Mappings is not null && account.MapSubject(subject) is { } mapped)
        {
            if (mapped.Length == 0)
            {
                return;
            }
            subject = mapped;
        }
        var message = new MessageView(subject, command.Reply, command.Headers, command.Payload);
        Server.Router.Publish(account, message, MessageOrigin.FromLink(this, command.Queues));
    }
}
