using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// Where a message entering the router came from: a local client (with its echo choice), the
/// server itself (internal), or a link of some <see cref="LinkKind"/> (with the link, and the
/// queue groups the sending server picked this one for). The router decides loops, echo and
/// queue delivery from it.
/// </summary>
/// <example>
/// <code>
/// // A leaf plugin delivering an LMSG it received:
/// server.Router.Publish(account, message, MessageOrigin.FromLink(this, queues));
/// </code>
/// </example>
public readonly ref struct MessageOrigin
{
    /// <summary>A message the server (or a plugin) publishes itself: no echo rules, no link.</summary>
    public static MessageOrigin Internal => default;

    /// <summary>The publishing client, or the link the message came over; null for internal messages.</summary>
    public IMessageSink? Source { get; init; }

    /// <summary>The kind of link the message came over; null for a local client or internal message.</summary>
    public LinkKind? Link { get; init; }

    /// <summary>Whether a publishing client wants its own messages back (ignored for links and internal messages).</summary>
    public bool Echo { get; init; }

    /// <summary>
    /// For messages from a link: the queue groups the sender chose this server for
    /// (space-separated names); only those groups get the message here.
    /// </summary>
    public ReadOnlySpan<byte> QueueFilter { get; init; }

    /// <summary>True for a message a local client published.</summary>
    public bool IsClient => Link is null && Source is not null;

    /// <summary>True for a message the server itself published.</summary>
    public bool IsInternal => Link is null && Source is null;

    /// <summary>A message a local client (or session) published.</summary>
    public static MessageOrigin FromClient(IMessageSink client, bool echo) => new() { Source = client, Echo = echo };

    /// <summary>A message that arrived over <paramref name="link"/>.</summary>
    /// <param name="link">The link it came over: it never goes back there.</param>
    /// <param name="queueFilter">The queue groups named by the sender (space-separated); empty for none.</param>
    public static MessageOrigin FromLink(ILinkSink link, ReadOnlySpan<byte> queueFilter = default) =>
        new() { Source = link, Link = link.Kind, QueueFilter = queueFilter };
}
