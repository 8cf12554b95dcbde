using System.Text;
using Nats.Core.Config;
using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// A user's publish and subscribe permissions, compiled into sublists so that wildcard
/// entries match the way nats-server matches them.
/// </summary>
public sealed class ClientPermissions
{
    private ClientPermissions(SubjectPermission? publish, SubjectPermission? subscribe, ResponsePermissionConfig? responses)
    {
        Publish = publish;
        Subscribe = subscribe;
        Responses = responses;
    }

    /// <summary>Publish permissions, or null when unrestricted.</summary>
    internal SubjectPermission? Publish { get; }

    /// <summary>Subscribe permissions, or null when unrestricted.</summary>
    internal SubjectPermission? Subscribe { get; }

    /// <summary><c>allow_responses</c>, or null.</summary>
    public ResponsePermissionConfig? Responses { get; }

    /// <summary>Compiles configured permissions; null when they restrict nothing.</summary>
    public static ClientPermissions? Create(PermissionsConfig? config)
    {
        if (config is null)
        {
            return null;
        }
        var publish = SubjectPermission.Create(config.Publish);
        var subscribe = SubjectPermission.Create(config.Subscribe);
        var responses = config.Responses;
        // With allow_responses and no publish rules, nats-server denies all other publishes.
        if (responses is not null && publish is null)
        {
            publish = SubjectPermission.Create(new SubjectPermissionConfig { Allow = [] });
        }
        return publish is null && subscribe is null && responses is null
            ? null
            : new ClientPermissions(publish, subscribe, responses);
    }

    /// <summary>Whether a publish to <paramref name="subject"/> is allowed by the static rules.</summary>
    public bool CanPublish(ReadOnlySpan<byte> subject)
    {
        var p = Publish;
        if (p is null)
        {
            return true;
        }
        if (p.Allow is not null && !p.Allow.HasInterest(subject))
        {
            return false;
        }
        return p.Deny is null || !p.Deny.HasInterest(subject);
    }

    /// <summary>Whether subscribing to <paramref name="subject"/> (in <paramref name="queue"/>) is allowed.</summary>
    public bool CanSubscribe(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
    {
        var p = Subscribe;
        if (p is null)
        {
            return true;
        }
        var allowed = true;
        if (p.Allow is not null)
        {
            var r = p.Allow.Match(subject);
            allowed = r.Subscriptions.Length > 0;
            if (!queue.IsEmpty && r.QueueGroups.Length > 0)
            {
                allowed = QueueListed(queue, r);
            }
        }
        if (allowed && p.Deny is not null)
        {
            var r = p.Deny.Match(subject);
            allowed = r.Subscriptions.Length == 0;
            if (allowed && !queue.IsEmpty && r.QueueGroups.Length > 0)
            {
                allowed = !QueueListed(queue, r);
            }
        }
        return allowed;
    }

    /// <summary>
    /// True when a subscription to <paramref name="subject"/> could receive messages on a
    /// denied subject (a wildcard overlapping a deny entry), so deliveries must be checked.
    /// </summary>
    public bool NeedsDeliveryFilter(ReadOnlySpan<byte> subject, bool hasQueue)
    {
        if (Subscribe?.DenyEntries is not { Count: > 0 } deny || !(hasQueue || SubjectValidator.HasWildcard(subject)))
        {
            return false;
        }
        foreach (var entry in deny)
        {
            if (SubjectMatcher.SubjectsCollide(entry, subject))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether delivering a message on <paramref name="subject"/> to a subscription in
    /// <paramref name="queue"/> (empty for a plain one) is denied. As nats-server's checkDenySub:
    /// a plain deny entry denies every subscription; a queue entry (<c>"subject queue"</c>)
    /// denies only members of that queue.
    /// </summary>
    public bool IsDeliveryDenied(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
    {
        if (Subscribe?.Deny is not { } deny)
        {
            return false;
        }
        var r = deny.Match(subject);
        if (r.Subscriptions.Length > 0)
        {
            return true;
        }
        return !queue.IsEmpty && r.QueueGroups.Length > 0 && QueueListed(queue, r);
    }

    private static bool QueueListed(ReadOnlySpan<byte> queue, SublistResult result)
    {
        foreach (var group in result.QueueGroups)
        {
            if (group.HasName(queue))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>One direction's allow and deny lists, as sublists.</summary>
internal sealed class SubjectPermission
{
    public Sublist? Allow { get; private init; }
    public Sublist? Deny { get; private init; }
    public IReadOnlyList<byte[]>? DenyEntries { get; private init; }

    public static SubjectPermission? Create(SubjectPermissionConfig? config)
    {
        if (config is null || (config.Allow is null && config.Deny is null))
        {
            return null;
        }
        return new SubjectPermission
        {
            Allow = config.Allow is null ? null : Build(config.Allow),
            Deny = config.Deny is null ? null : Build(config.Deny),
            DenyEntries = config.Deny?.Select(d => Encoding.UTF8.GetBytes(d.Split(' ', 2)[0])).ToArray(),
        };
    }

    // Entries may be "subject" or "subject queue" (a queue-restricted subscribe entry).
    private static Sublist Build(IEnumerable<string> entries)
    {
        var list = new Sublist(enableCache: true);
        foreach (var entry in entries)
        {
            var parts = entry.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 0)
            {
                continue;
            }
            var queue = parts.Length > 1 ? Encoding.UTF8.GetBytes(parts[1]) : null;
            list.Insert(new Subscription(Encoding.UTF8.GetBytes(parts[0]), queue, NullSink.Instance));
        }
        return list;
    }
}

/// <summary>A sink that drops everything: permission sublists hold subscriptions only to match.</summary>
internal sealed class NullSink : IMessageSink
{
    public static readonly NullSink Instance = new();

    public bool Deliver(Subscription subscription, in MessageView message) => false;
}
