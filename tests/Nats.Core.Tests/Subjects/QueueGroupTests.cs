using Nats.Core.Subjects;
using static Nats.Core.Tests.Subjects.TestSubs;

namespace Nats.Core.Tests.Subjects;

/// <summary>Picking a queue member: uniform, or proportional to weights.</summary>
public sealed class QueueGroupTests
{
    private static QueueGroup GroupOf(params Subscription[] members)
    {
        var s = new Sublist();
        foreach (var m in members)
        {
            s.Insert(m);
        }
        return s.Match(members[0].SubjectString).Group(members[0].QueueString!);
    }

    /// <summary>Counts picks over evenly spread 32-bit values: an exact picture of the distribution.</summary>
    private static Dictionary<Subscription, long> SpreadPicks(QueueGroup group, int samples)
    {
        var counts = new Dictionary<Subscription, long>(ReferenceEqualityComparer.Instance);
        for (var k = 0; k < samples; k++)
        {
            // ceil(k * 2^32 / samples): sample k lands exactly in the k-th slice of [0, 2^32).
            var member = group.PickMember((uint)((((ulong)k << 32) + (ulong)samples - 1) / (ulong)samples));
            counts[member] = counts.GetValueOrDefault(member) + 1;
        }
        return counts;
    }

    [Test]
    public void UniformWeightsPickEveryMemberEqually()
    {
        var members = Enumerable.Range(0, 4).Select(_ => Queue("foo", "q")).ToArray();
        var group = GroupOf(members);
        Assert.That(group.TotalWeight, Is.EqualTo(4));
        var counts = SpreadPicks(group, 4000);
        Assert.That(counts.Keys, Is.EquivalentTo(members));
        Assert.That(counts.Values, Is.All.EqualTo(1000));
        Assert.That(group.PickIndex(0), Is.EqualTo(0));
        Assert.That(group.PickIndex(uint.MaxValue), Is.EqualTo(3));
    }

    [Test]
    public void WeightsSkewPicksProportionally()
    {
        var local = Queue("foo", "q");
        var route = Remote("foo", "q", 3);
        var leaf = Remote("foo", "q", 6);
        var group = GroupOf(local, route, leaf);
        Assert.That(group.Count, Is.EqualTo(3));
        Assert.That(group.TotalWeight, Is.EqualTo(10));
        var counts = SpreadPicks(group, 10_000);
        Assert.That(counts[local], Is.EqualTo(1000).Within(1));
        Assert.That(counts[route], Is.EqualTo(3000).Within(1));
        Assert.That(counts[leaf], Is.EqualTo(6000).Within(1));
        Assert.That(group.PickIndex(uint.MaxValue), Is.LessThan(3));
    }

    [Test]
    public void WeightedPickingWithRandomFollowsWeights()
    {
        var light = Queue("foo", "q");
        var heavy = Remote("foo", "q", 4);
        var group = GroupOf(light, heavy);
        var random = new Random(12345);
        var heavyCount = 0;
        const int n = 50_000;
        for (var i = 0; i < n; i++)
        {
            if (ReferenceEquals(group.PickMember(random), heavy))
            {
                heavyCount++;
            }
        }
        // Expected 80%; a binomial standard deviation here is ~0.18%.
        Assert.That(heavyCount / (double)n, Is.EqualTo(0.8).Within(0.01));
    }

    [Test]
    public void UniformPickingWithRandomCoversAllMembers()
    {
        var members = Enumerable.Range(0, 3).Select(_ => Queue("foo", "q")).ToArray();
        var group = GroupOf(members);
        var random = new Random(7);
        var seen = new HashSet<Subscription>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < 200; i++)
        {
            seen.Add(group.PickMember(random));
        }
        Assert.That(seen, Is.EquivalentTo(members));
    }

    [Test]
    public void WeightsBelowOneCountAsOne()
    {
        var a = Remote("foo", "q", 0);
        var b = Queue("foo", "q");
        var group = GroupOf(a, b);
        Assert.That(group.TotalWeight, Is.EqualTo(2));
        var counts = SpreadPicks(group, 1000);
        Assert.That(counts[a], Is.EqualTo(500));
    }

    [Test]
    public void HugeWeightsDoNotOverflow()
    {
        var a = Remote("foo", "q", int.MaxValue);
        var b = Remote("foo", "q", int.MaxValue);
        var c = Queue("foo", "q");
        var group = new QueueGroup(Utf8("q"), [a, b, c]); // Built directly: member order matters here.
        Assert.That(group.TotalWeight, Is.EqualTo(2L * int.MaxValue + 1));
        Assert.That(group.PickMember(0), Is.SameAs(a));
        Assert.That(group.PickMember((1u << 31) - 1), Is.SameAs(a));
        Assert.That(group.PickMember(1u << 31), Is.SameAs(b));
        Assert.That(group.PickMember(uint.MaxValue - 1), Is.SameAs(b));
        // c weighs 1 in 2^32 - 1: it owns only the top value.
        Assert.That(group.PickMember(uint.MaxValue), Is.SameAs(c));
    }
}
