using System.Text;
using Nats.Core.Subjects;

namespace Nats.Core.Tests.Subjects;

/// <summary>A sink that only counts what it is given.</summary>
internal sealed class CountingSink : IMessageSink
{
    public int Delivered;

    public bool Deliver(Subscription subscription, in MessageView message)
    {
        Delivered++;
        return true;
    }
}

/// <summary>Builders for test subscriptions and views of results.</summary>
internal static class TestSubs
{
    public static readonly CountingSink Sink = new();

    public static Subscription Plain(string subject) => new(Encoding.UTF8.GetBytes(subject), null, Sink);

    public static Subscription Queue(string subject, string queue) =>
        new(Encoding.UTF8.GetBytes(subject), Encoding.UTF8.GetBytes(queue), Sink);

    /// <summary>A queue subscription standing for <paramref name="weight"/> remote members (a route's).</summary>
    public static Subscription Remote(string subject, string queue, int weight) =>
        new(Encoding.UTF8.GetBytes(subject), Encoding.UTF8.GetBytes(queue), Sink) { QueueWeight = weight };

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static Subscription[] Plains(this SublistResult result) => result.Subscriptions.ToArray();

    public static QueueGroup[] Groups(this SublistResult result) => result.QueueGroups.ToArray();

    public static QueueGroup Group(this SublistResult result, string queue) =>
        result.FindQueueGroup(Utf8(queue)) ?? throw new AssertionException($"no queue group '{queue}' in result");

    public static Subscription[] Members(this QueueGroup group) => group.Members.ToArray();

    /// <summary>Every subscription of a result, plain and queue members alike.</summary>
    public static HashSet<Subscription> AllSubs(this SublistResult result)
    {
        var set = new HashSet<Subscription>(ReferenceEqualityComparer.Instance);
        foreach (var s in result.Subscriptions)
        {
            set.Add(s);
        }
        foreach (var g in result.QueueGroups)
        {
            foreach (var s in g.Members)
            {
                set.Add(s);
            }
        }
        return set;
    }

    /// <summary>Brute-force oracle: the subscriptions among <paramref name="subs"/> whose filter matches the literal subject.</summary>
    public static HashSet<Subscription> Expected(IEnumerable<Subscription> subs, string subject)
    {
        var set = new HashSet<Subscription>(ReferenceEqualityComparer.Instance);
        foreach (var s in subs)
        {
            if (SubjectMatcher.SubjectMatchesFilter(subject, s.SubjectString))
            {
                set.Add(s);
            }
        }
        return set;
    }
}
