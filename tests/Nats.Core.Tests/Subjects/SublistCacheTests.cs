using Nats.Core.Subjects;
using static Nats.Core.Tests.Subjects.TestSubs;

namespace Nats.Core.Tests.Subjects;

/// <summary>The shared match cache: kept correct by inserts and removes, and bounded.</summary>
public sealed class SublistCacheTests
{
    [Test]
    public void CacheFollowsInsertsAndRemovesWithWildcards()
    {
        // TestSublistCache.
        var s = new Sublist();
        const string subject = "a.b.c.d";
        var sub = Plain(subject);
        var psub = Plain("a.b.*.d");
        var fsub = Plain("a.b.>");
        s.Insert(sub);
        Assert.That(s.Match(subject).Plains(), Is.EqualTo(new[] { sub }));
        Assert.That(s.CacheCount, Is.EqualTo(1));
        s.Insert(psub);
        s.Insert(fsub);
        Assert.That(s.Count, Is.EqualTo(3));
        Assert.That(s.Match(subject).Plains(), Is.EquivalentTo(new[] { sub, psub, fsub }));
        s.Remove(sub);
        Assert.That(s.Match(subject).Plains(), Is.EquivalentTo(new[] { psub, fsub }));
        s.Remove(fsub);
        Assert.That(s.Match(subject).Plains(), Is.EqualTo(new[] { psub }));
        s.Remove(psub);
        Assert.That(s.Count, Is.EqualTo(0));
        Assert.That(s.Match(subject), Is.SameAs(SublistResult.Empty));

        // Adding to a wildcard properly adds to the cache.
        s = new Sublist();
        s.Insert(Plain("foo.*"));
        s.Insert(Plain("foo.bar"));
        Assert.That(s.Match("foo.baz").Plains(), Has.Length.EqualTo(1));
        Assert.That(s.Match("foo.bar").Plains(), Has.Length.EqualTo(2));
        s.Insert(Plain("foo.>"));
        Assert.That(s.Match("foo.bar").Plains(), Has.Length.EqualTo(3));
        Assert.That(s.Match("foo.baz").Plains(), Has.Length.EqualTo(2));
    }

    [Test]
    public void PatchedEntriesAreServedFromTheCache()
    {
        var s = new Sublist();
        s.Insert(Plain("foo.bar"));
        s.Match("foo.bar");
        s.Match("foo.baz");
        var q = Queue("foo.*", "workers");
        s.Insert(q);
        s.Insert(Plain("foo.baz"));
        var hitsBefore = Hits(s);
        Assert.That(s.Match("foo.bar").Group("workers").Members(), Is.EqualTo(new[] { q }));
        Assert.That(s.Match("foo.baz").AllSubs(), Has.Count.EqualTo(2));
        Assert.That(Hits(s) - hitsBefore, Is.EqualTo(2), "entries were patched, not dropped");
        s.Remove(q);
        Assert.That(s.Match("foo.bar").QueueGroups.Length, Is.EqualTo(0));
        Assert.That(s.Match("foo.baz").QueueGroups.Length, Is.EqualTo(0));
    }

    [Test]
    public void ResultsHandedOutBeforeAChangeAreNotModified()
    {
        var s = new Sublist();
        var a = Plain("foo");
        s.Insert(a);
        var before = s.Match("foo");
        s.Insert(Plain("foo"));
        s.Insert(Queue("foo", "q"));
        s.Remove(a);
        Assert.That(before.Plains(), Is.EqualTo(new[] { a }), "results are immutable");
        Assert.That(before.QueueGroups.Length, Is.EqualTo(0));
        Assert.That(s.Match("foo").Plains(), Does.Not.Contain(a));
    }

    [Test]
    public void CacheIsBounded()
    {
        var s = new Sublist();
        s.Insert(Plain(">"));
        for (var i = 0; i < 3 * SublistCache.MaxEntries; i++)
        {
            Assert.That(s.Match($"foo-{i}").Plains(), Has.Length.EqualTo(1));
            Assert.That(s.CacheCount, Is.LessThanOrEqualTo(SublistCache.MaxEntries));
        }
        Assert.That(s.CacheCount, Is.GreaterThan(0));
        // Everything still answers correctly after sweeps.
        for (var i = 0; i < 3 * SublistCache.MaxEntries; i += 7)
        {
            Assert.That(s.Match($"foo-{i}").Plains(), Has.Length.EqualTo(1));
        }
    }

    [Test]
    public void NegativeResultsAreCachedAndPatched()
    {
        var s = new Sublist();
        Assert.That(s.Match("nobody.home").IsEmpty, Is.True);
        var hits = Hits(s);
        Assert.That(s.Match("nobody.home").IsEmpty, Is.True);
        Assert.That(Hits(s), Is.EqualTo(hits + 1));
        var sub = Plain("nobody.*");
        s.Insert(sub);
        Assert.That(s.Match("nobody.home").Plains(), Is.EqualTo(new[] { sub }));
        Assert.That(Hits(s), Is.EqualTo(hits + 2));
    }

    [Test]
    public void HitRateAndAddingStats()
    {
        // TestSublistAddCacheHitRate.
        var sl1 = new Sublist();
        sl1.Insert(Plain("foo"));
        for (var i = 0; i < 4; i++)
        {
            sl1.Match("foo");
        }
        var stats1 = sl1.Stats();
        Assert.That(stats1.CacheHitRate, Is.EqualTo(0.75));

        var sl2 = new Sublist();
        sl2.Insert(Plain("bar"));
        sl2.Insert(Plain("bar"));
        for (var i = 0; i < 4; i++)
        {
            sl2.Match("bar");
        }
        var stats2 = sl2.Stats();
        Assert.That(stats2.CacheHitRate, Is.EqualTo(0.75));
        Assert.That(stats2.MaxFanout, Is.EqualTo(2));

        var total = new SublistStats();
        total.Add(stats1);
        total.Add(stats2);
        Assert.That(total.CacheHitRate, Is.EqualTo(0.75));
        Assert.That(total.NumMatches, Is.EqualTo(8));
        Assert.That(total.NumSubscriptions, Is.EqualTo(3));
        Assert.That(total.NumCache, Is.EqualTo(2));
        Assert.That(total.MaxFanout, Is.EqualTo(2));
        Assert.That(total.AvgFanout, Is.EqualTo(1.5));
    }

    [Test]
    public void StatsSerializeWithNatsServerNames()
    {
        var s = new Sublist();
        s.Insert(Plain("foo"));
        s.Match("foo");
        var json = System.Text.Json.JsonSerializer.Serialize(s.Stats());
        foreach (var name in new[] { "num_subscriptions", "num_cache", "num_inserts", "num_removes", "num_matches", "cache_hit_rate", "max_fanout", "avg_fanout" })
        {
            Assert.That(json, Does.Contain($"\"{name}\":"));
        }
    }

    [Test]
    public void UpdateQueueWeightRebuildsCachedGroups()
    {
        var s = new Sublist();
        var local = Queue("orders.*", "workers");
        var route = Remote("orders.*", "workers", 3);
        s.Insert(local);
        s.Insert(route);
        Assert.That(s.Match("orders.new").Group("workers").TotalWeight, Is.EqualTo(4));
        s.UpdateQueueWeight(route, 7);
        var hits = Hits(s);
        Assert.That(s.Match("orders.new").Group("workers").TotalWeight, Is.EqualTo(8));
        Assert.That(Hits(s), Is.EqualTo(hits + 1), "patched in place");
        Assert.Throws<ArgumentOutOfRangeException>(() => s.UpdateQueueWeight(route, 0));
    }

    [Test]
    public void MatchOnAStringAndOnBytesShareEntries()
    {
        var s = new Sublist();
        s.Insert(Plain("ünï.*"));
        var viaString = s.Match("ünï.côde");
        var viaBytes = s.Match(Utf8("ünï.côde"));
        Assert.That(viaBytes, Is.SameAs(viaString));
    }

    private static long Hits(Sublist s) => s.CacheHits;
}
