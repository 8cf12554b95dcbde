using Nats.Core.Accounts;

namespace Nats.Core.Subjects;

/// <summary>
/// A sink that forwards to another server (a route, gateway or leaf link) rather than to a
/// local client. The router sends each message to a link once, however many of the link's
/// subscriptions matched, together with the queue groups the link was picked for, and only
/// when the link's <see cref="Kind"/> accepts the message's origin.
/// </summary>
public interface ILinkSink : IMessageSink
{
    /// <summary>The link's kind: its policy in the router.</summary>
    LinkKind Kind { get; }

    /// <summary>Forwards one message published in <paramref name="account"/>.</summary>
    /// <param name="account">The account the message was published in.</param>
    /// <param name="message">The message.</param>
    /// <param name="queues">Queue groups whose member on the far side should receive it; empty for plain interest only.</param>
    /// <returns>
    /// False when the link declined it (closed, not registered yet, dropped as a slow
    /// consumer): a requester then still gets its no-responders status when nobody else took it.
    /// </returns>
    bool Forward(Account account, in MessageView message, ReadOnlySpan<byte[]> queues);
}
