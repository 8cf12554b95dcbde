using Nats.Core.Accounts;
using Nats.Core.Subjects;

namespace SeamsPlugin;

/// <summary>
/// A link of the plugin's own kind, as a leaf or gateway plugin has one per connection: the
/// router forwards to it what its interest matches and its kind accepts, and it injects
/// messages with itself as the origin (which the router must never hand back to it).
/// </summary>
public sealed class SeamLink(LinkKind kind) : ILinkSink
{
    private long _forwarded;
    private volatile string? _lastSubject;

    public LinkKind Kind { get; } = kind;

    /// <summary>Messages the router gave this link (any thread).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>The subject of the last one.</summary>
    public string? LastSubject => _lastSubject;

    public bool Forward(Account account, in MessageView message, ReadOnlySpan<byte[]> queues)
    {
        Interlocked.Increment(ref _forwarded);
        _lastSubject = System.Text.Encoding.UTF8.GetString(message.Subject);
        return true;
    }

    public bool Deliver(Subscription subscription, in MessageView message) =>
        subscription.Owner is Account account && Forward(account, message, []);
}
