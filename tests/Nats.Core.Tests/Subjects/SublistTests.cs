using Nats.Core.Subjects;
using static Nats.Core.Tests.Subjects.TestSubs;

namespace Nats.Core.Tests.Subjects;

/// <summary>The behaviour of nats-server's sublist_test.go, with the cache on and off.</summary>
[TestFixture(true)]
[TestFixture(false)]
public sealed class SublistTests(bool cache)
{
    private Sublist NewSublist() => new(cache);

    [Test]
    public void InsertCount()
    {
        var s = NewSublist();
        Assert.That(s.Count, Is.EqualTo(0));
        s.Insert(Plain("foo"));
        s.Insert(Plain("bar"));
        s.Insert(Plain("foo.bar"));
        Assert.That(s.Count, Is.EqualTo(3));
        Assert.That(s.IsCacheEnabled, Is.EqualTo(cache));
    }

    [Test]
    public void InsertingTheSameSubscriptionTwiceIsANoOp()
    {
        var s = NewSublist();
        var sub = Plain("foo");
        s.Insert(sub);
        var generation = s.Generation;
        s.Insert(sub);
        Assert.That(s.Count, Is.EqualTo(1));
        Assert.That(s.Match("foo").Plains(), Is.EqualTo(new[] { sub }));
        Assert.That(s.Generation, Is.EqualTo(generation));
    }

    [TestCase("foo")]
    [TestCase("foo.bar.baz")]
    public void SimpleLiteral(string subject)
    {
        var s = NewSublist();
        var sub = Plain(subject);
        s.Insert(sub);
        var r = s.Match(subject);
        Assert.That(r.Plains(), Is.EqualTo(new[] { sub }));
        Assert.That(r.QueueGroups.Length, Is.EqualTo(0));
    }

    [TestCase("a.*.c")]
    [TestCase("a.b.*")]
    [TestCase("*.b.c")]
    [TestCase("a.>")]
    [TestCase(">")]
    [TestCase("*.*.*")]
    [TestCase("a.*.>")]
    public void WildcardMatchesWithLiteral(string wildcard)
    {
        var s = NewSublist();
        var lsub = Plain("a.b.c");
        var wsub = Plain(wildcard);
        s.Insert(lsub);
        s.Insert(wsub);
        Assert.That(s.Match("a.b.c").Plains(), Is.EquivalentTo(new[] { lsub, wsub }));
    }

    [Test]
    public void FullWildcard()
    {
        var s = NewSublist();
        var lsub = Plain("a.b.c");
        var fsub = Plain("a.>");
        s.Insert(lsub);
        s.Insert(fsub);
        Assert.That(s.Match("a.b.c").Plains(), Is.EquivalentTo(new[] { lsub, fsub }));
        Assert.That(s.Match("a.>").Plains(), Is.EqualTo(new[] { fsub }));
        Assert.That(s.Match("a").IsEmpty, Is.True, "'>' needs at least one token");
        Assert.That(s.Match("a.b.c.d.e").Plains(), Is.EqualTo(new[] { fsub }));
    }

    [Test]
    public void PartialWildcardMatchesExactlyOneToken()
    {
        var s = NewSublist();
        var psub = Plain("a.*");
        s.Insert(psub);
        Assert.That(s.Match("a.b").Plains(), Is.EqualTo(new[] { psub }));
        Assert.That(s.Match("a").IsEmpty, Is.True);
        Assert.That(s.Match("a.b.c").IsEmpty, Is.True);
    }

    [Test]
    public void MixedWildcardsAcrossLevels()
    {
        var s = NewSublist();
        var subs = new[]
        {
            Plain("a.b.c.d"), Plain("a.*.c.d"), Plain("a.*.*.d"), Plain("*.b.*.d"), Plain("a.b.>"), Plain("*.>"),
            Plain(">"), Plain("a.*.c"), Plain("a.b.c.e"), Plain("*.*.*.*.*"), Queue("a.*.c.d", "q1"), Queue("*.b.>", "q1"),
            Queue("a.b.c.d", "q2"),
        };
        foreach (var sub in subs)
        {
            s.Insert(sub);
        }
        foreach (var subject in new[] { "a.b.c.d", "a.x.c.d", "a.b.c", "x.b.y.d", "a.b.c.d.e", "q", "a.b", "a.b.c.e" })
        {
            Assert.That(s.Match(subject).AllSubs(), Is.EquivalentTo(Expected(subs, subject)), subject);
            // Twice: the second answer comes from the cache when it is on.
            Assert.That(s.Match(subject).AllSubs(), Is.EquivalentTo(Expected(subs, subject)), subject);
        }
        var r = s.Match("a.b.c.d");
        Assert.That(r.Group("q1").Members(), Is.EquivalentTo(new[] { subs[10], subs[11] }), "a group merges members found at different nodes");
        Assert.That(r.Group("q2").Members(), Is.EqualTo(new[] { subs[12] }));
    }

    [Test]
    public void Remove()
    {
        var s = NewSublist();
        var sub = Plain("a.b.c.d");
        s.Insert(sub);
        Assert.That(s.Count, Is.EqualTo(1));
        Assert.That(s.Match("a.b.c.d").Plains(), Has.Length.EqualTo(1));
        Assert.That(s.Remove(Plain("a.b.c")), Is.False);
        Assert.That(s.Remove(Plain("a.b.c.d")), Is.False, "same subject, other subscription");
        Assert.That(s.Count, Is.EqualTo(1));
        Assert.That(s.Remove(sub), Is.True);
        Assert.That(s.Remove(sub), Is.False);
        Assert.That(s.Count, Is.EqualTo(0));
        Assert.That(s.Match("a.b.c.d").IsEmpty, Is.True);
    }

    [Test]
    public void RemoveWildcard()
    {
        var s = NewSublist();
        var sub = Plain("a.b.c.d");
        var psub = Plain("a.b.*.d");
        var fsub = Plain("a.b.>");
        s.Insert(sub);
        s.Insert(psub);
        s.Insert(fsub);
        Assert.That(s.Count, Is.EqualTo(3));
        Assert.That(s.Match("a.b.c.d").Plains(), Has.Length.EqualTo(3));
        Assert.That(s.Remove(sub), Is.True);
        Assert.That(s.Count, Is.EqualTo(2));
        Assert.That(s.Match("a.b.c.d").Plains(), Is.EquivalentTo(new[] { psub, fsub }));
        Assert.That(s.Remove(fsub), Is.True);
        Assert.That(s.Count, Is.EqualTo(1));
        Assert.That(s.Match("a.b.c.d").Plains(), Is.EqualTo(new[] { psub }));
        Assert.That(s.Remove(psub), Is.True);
        Assert.That(s.Count, Is.EqualTo(0));
        Assert.That(s.Match("a.b.c.d").IsEmpty, Is.True);
    }

    [TestCase("a.b.c.d.e.f")]
    [TestCase("a.b.*.d.e.>")]
    public void RemoveCleansUpLevels(string subject)
    {
        var s = NewSublist();
        var sub = Plain(subject);
        Assert.That(s.NumLevels(), Is.EqualTo(0));
        s.Insert(sub);
        Assert.That(s.NumLevels(), Is.EqualTo(SubjectTokens.Count(subject)));
        s.Remove(sub);
        Assert.That(s.NumLevels(), Is.EqualTo(0));
    }

    [Test]
    public void RemoveKeepsSharedPrefixes()
    {
        var s = NewSublist();
        var deep = Plain("a.b.c.d");
        var shallow = Plain("a.b");
        s.Insert(deep);
        s.Insert(shallow);
        s.Remove(deep);
        Assert.That(s.NumLevels(), Is.EqualTo(2));
        Assert.That(s.Match("a.b").Plains(), Is.EqualTo(new[] { shallow }));
        s.Insert(deep);
        s.Remove(shallow);
        Assert.That(s.NumLevels(), Is.EqualTo(4));
        Assert.That(s.Match("a.b.c.d").Plains(), Is.EqualTo(new[] { deep }));
        Assert.That(s.Match("a.b").IsEmpty, Is.True);
    }

    [Test]
    public void RemoveWithLargeSubs()
    {
        var s = NewSublist();
        for (var i = 0; i < 512; i++)
        {
            s.Insert(Plain("foo"));
        }
        var r = s.Match("foo").Plains();
        Assert.That(r, Has.Length.EqualTo(512));
        s.Remove(r[256]);
        s.Remove(r[0]);
        s.Remove(r[^1]);
        var after = s.Match("foo").Plains();
        Assert.That(after, Has.Length.EqualTo(509));
        Assert.That(after, Does.Not.Contain(r[256]).And.Not.Contain(r[0]).And.Not.Contain(r[^1]));
    }

    [TestCase(".foo")]
    [TestCase("foo.")]
    [TestCase("foo..bar")]
    [TestCase("foo.bar..baz")]
    [TestCase("foo.>.bar")]
    [TestCase("")]
    [TestCase("foo bar")]
    [TestCase("foo.\tbar")]
    public void InvalidSubjectsAreRejectedOnInsert(string subject)
    {
        var s = NewSublist();
        var sub = Plain(subject);
        Assert.That(s.TryInsert(sub), Is.False);
        Assert.Throws<ArgumentException>(() => s.Insert(sub));
        Assert.That(s.Count, Is.EqualTo(0));
        Assert.That(s.Generation, Is.EqualTo(0));
        // TestSublistBadSubjectOnRemove.
        Assert.That(s.Remove(sub), Is.False);
    }

    [Test]
    public void RemoveBatchRemovesWhatIsPresent()
    {
        var s = NewSublist();
        var sub1 = Plain("foo");
        var sub2 = Plain("bar");
        var sub3 = Queue("baz", "q");
        s.Insert(sub1);
        s.Insert(sub2);
        s.Insert(sub3);
        s.Match("foo");
        s.Match("baz");
        var generation = s.Generation;
        // TestSublistRemoveBatchWithError: an absent sub does not stop the others.
        Assert.That(s.RemoveBatch([Plain("not.inserted"), sub1, sub3]), Is.EqualTo(2));
        Assert.That(s.Generation, Is.Not.EqualTo(generation));
        Assert.That(s.Count, Is.EqualTo(1));
        Assert.That(s.Match("bar").Plains(), Is.EqualTo(new[] { sub2 }));
        Assert.That(s.Match("foo").IsEmpty, Is.True);
        Assert.That(s.Match("baz").IsEmpty, Is.True);
        Assert.That(s.IsCacheEnabled, Is.EqualTo(cache), "TestSublistNoCacheRemoveBatch");
    }

    [Test]
    public void RemoveBatchOfManyClearsCacheAndStaysCorrect()
    {
        var s = NewSublist();
        var subs = Enumerable.Range(0, 100).Select(i => Plain($"foo.{i % 10}")).ToList();
        var wildcard = Plain("foo.*");
        foreach (var sub in subs)
        {
            s.Insert(sub);
        }
        s.Insert(wildcard);
        for (var i = 0; i < 10; i++)
        {
            Assert.That(s.Match($"foo.{i}").Plains(), Has.Length.EqualTo(11));
        }
        Assert.That(s.RemoveBatch(subs.Take(50)), Is.EqualTo(50));
        Assert.That(s.Count, Is.EqualTo(51));
        for (var i = 0; i < 10; i++)
        {
            Assert.That(s.Match($"foo.{i}").AllSubs(), Is.EquivalentTo(Expected(subs.Skip(50).Append(wildcard), $"foo.{i}")));
        }
        Assert.That(s.RemoveBatch(Array.Empty<Subscription>()), Is.EqualTo(0));
    }

    [Test]
    public void BasicQueueResults()
    {
        var s = NewSublist();
        const string subject = "foo";
        var sub = Plain(subject);
        var sub1 = Queue(subject, "bar");
        var sub2 = Queue(subject, "baz");

        s.Insert(sub1);
        var r = s.Match(subject);
        Assert.That(r.Subscriptions.Length, Is.EqualTo(0));
        Assert.That(r.QueueGroups.Length, Is.EqualTo(1));
        Assert.That(r.Group("bar").Members(), Is.EqualTo(new[] { sub1 }));
        Assert.That(r.Group("bar").NameString, Is.EqualTo("bar"));

        s.Insert(sub2);
        r = s.Match(subject);
        Assert.That(r.Subscriptions.Length, Is.EqualTo(0));
        Assert.That(r.QueueGroups.Length, Is.EqualTo(2));
        Assert.That(r.Group("bar").Members(), Is.EqualTo(new[] { sub1 }));
        Assert.That(r.Group("baz").Members(), Is.EqualTo(new[] { sub2 }));

        s.Insert(sub);
        r = s.Match(subject);
        Assert.That(r.Plains(), Is.EqualTo(new[] { sub }));
        Assert.That(r.QueueGroups.Length, Is.EqualTo(2));

        var sub3 = Queue(subject, "bar");
        var sub4 = Queue(subject, "baz");
        s.Insert(sub3);
        s.Insert(sub4);
        r = s.Match(subject);
        Assert.That(r.Plains(), Is.EqualTo(new[] { sub }));
        Assert.That(r.Group("bar").Members(), Is.EquivalentTo(new[] { sub1, sub3 }));
        Assert.That(r.Group("baz").Members(), Is.EquivalentTo(new[] { sub2, sub4 }));
        Assert.That(r.Fanout, Is.EqualTo(3));

        s.Remove(sub);
        r = s.Match(subject);
        Assert.That(r.Subscriptions.Length, Is.EqualTo(0));
        Assert.That(r.Group("bar").Members(), Is.EquivalentTo(new[] { sub1, sub3 }));
        Assert.That(r.Group("baz").Members(), Is.EquivalentTo(new[] { sub2, sub4 }));

        s.Remove(sub1);
        r = s.Match(subject);
        Assert.That(r.Group("bar").Members(), Is.EqualTo(new[] { sub3 }));
        Assert.That(r.Group("baz").Members(), Is.EquivalentTo(new[] { sub2, sub4 }));

        s.Remove(sub3); // The last of "bar".
        r = s.Match(subject);
        Assert.That(r.QueueGroups.Length, Is.EqualTo(1));
        Assert.That(r.FindQueueGroup("bar"u8), Is.Null);
        Assert.That(r.Group("baz").Members(), Is.EquivalentTo(new[] { sub2, sub4 }));

        s.Remove(sub2);
        s.Remove(sub4);
        r = s.Match(subject);
        Assert.That(r.IsEmpty, Is.True);
        Assert.That(r, Is.SameAs(SublistResult.Empty));
    }

    [Test]
    public void TwoTokenPublishDoesNotMatchSingleTokenSub()
    {
        var s = NewSublist();
        var sub = Plain("foo");
        s.Insert(sub);
        Assert.That(s.Match("foo").Plains(), Is.EqualTo(new[] { sub }));
        Assert.That(s.Match("foo.bar").IsEmpty, Is.True);
    }

    [TestCase("foo.*-")]
    [TestCase("foo.>-")]
    [TestCase("foo.-*")]
    [TestCase("foo.**")]
    public void WildcardCharactersInsideTokensAreLiterals(string subject)
    {
        var s = NewSublist();
        var sub = Plain(subject);
        s.Insert(sub);
        Assert.That(s.Match("foo.bar").IsEmpty, Is.True);
        Assert.That(s.Match(subject).Plains(), Is.EqualTo(new[] { sub }));
        // TestSublistRemoveWithWildcardsAsLiterals.
        Assert.That(s.Remove(Plain("foo.bar")), Is.False);
        Assert.That(s.Count, Is.EqualTo(1));
        Assert.That(s.Remove(sub), Is.True);
        Assert.That(s.Count, Is.EqualTo(0));
    }

    [Test]
    public void RemoteQueueSubscriptionsCountByWeight()
    {
        var s = NewSublist();
        var s1 = Queue("foo", "bar");
        var s2 = Queue("foo", "bar");
        var rs1 = Remote("foo", "bar", 10);
        var rs2 = Remote("foo", "bar", 10);
        s.Insert(s1);
        s.Insert(s2);
        s.Insert(rs1);
        s.Insert(rs2);
        Assert.That(s.Count, Is.EqualTo(4));

        var g = s.Match("foo").Group("bar");
        Assert.That(g.Count, Is.EqualTo(4), "each member once");
        Assert.That(g.TotalWeight, Is.EqualTo(22), "nats-server shadows weighted members: 22 entries");

        s.Remove(s1);
        s.Remove(rs1);
        Assert.That(s.Count, Is.EqualTo(2));
        g = s.Match("foo").Group("bar");
        Assert.That(g.TotalWeight, Is.EqualTo(11));

        var generation = s.Generation;
        s.UpdateQueueWeight(rs2, 1);
        Assert.That(s.Generation, Is.Not.EqualTo(generation));
        g = s.Match("foo").Group("bar");
        Assert.That(g.Members(), Is.EquivalentTo(new[] { s2, rs2 }));
        Assert.That(g.TotalWeight, Is.EqualTo(2));
    }

    [Test]
    public void EmptyResultIsShared()
    {
        var s = NewSublist();
        var r1 = s.Match("foo");
        var r2 = s.Match("bar");
        Assert.That(r1.IsEmpty, Is.True);
        Assert.That(r1, Is.SameAs(r2));
        Assert.That(r1, Is.SameAs(SublistResult.Empty));
    }

    [TestCase(".foo")]
    [TestCase("..foo")]
    [TestCase("foo..")]
    [TestCase("foo.")]
    [TestCase("foo..bar")]
    [TestCase("foo...bar")]
    [TestCase("")]
    [TestCase(".")]
    public void SubjectsWithEmptyTokensMatchNothing(string subject)
    {
        var s = NewSublist();
        s.Insert(Plain(">"));
        s.Insert(Queue(">", "queue"));
        s.Insert(Plain("*.*"));
        Assert.That(s.Match(subject).IsEmpty, Is.True);
        Assert.That(s.Match(subject).IsEmpty, Is.True);
        Assert.That(s.HasInterest(subject), Is.False);
        Assert.That(s.CacheCount, Is.EqualTo(0), "never cached");
    }

    [Test]
    public void AllReturnsEverySubscription()
    {
        var s = NewSublist();
        var subs = new[] { Plain("foo.bar.baz"), Plain("foo"), Plain("baz"), Plain("foo.*"), Plain(">"), Queue("foo", "q"), Queue("foo", "q"), Queue("a.>", "r") };
        foreach (var sub in subs)
        {
            s.Insert(sub);
        }
        Assert.That(s.All(), Is.EquivalentTo(subs));
        var into = new List<Subscription> { Plain("x") };
        s.All(into);
        Assert.That(into, Has.Count.EqualTo(subs.Length + 1));
        s.Remove(subs[0]);
        Assert.That(s.All(), Is.EquivalentTo(subs.Skip(1)));
    }

    [Test]
    public void GenerationChangesOnEveryInsertAndRemove()
    {
        var s = NewSublist();
        var seen = new HashSet<long> { s.Generation };
        var subs = new[] { Plain("a"), Plain("a.*"), Queue("a", "q") };
        foreach (var sub in subs)
        {
            s.Insert(sub);
            Assert.That(seen.Add(s.Generation), Is.True);
        }
        foreach (var sub in subs)
        {
            s.Remove(sub);
            Assert.That(seen.Add(s.Generation), Is.True);
        }
        var before = s.Generation;
        s.Remove(subs[0]);
        Assert.That(s.Generation, Is.EqualTo(before), "a remove that found nothing changes nothing");
    }

    [Test]
    public void HasInterest()
    {
        // TestSublistHasInterest.
        var s = NewSublist();
        var fooSub = Plain("foo");
        s.Insert(fooSub);
        Assert.That(s.HasInterest("foo"), Is.True);
        Assert.That(s.HasInterest("bar"), Is.False);
        s.Match("foo");
        s.Match("bar");
        Assert.That(s.HasInterest("foo"), Is.True);
        Assert.That(s.HasInterest("bar"), Is.False);
        s.Remove(fooSub);
        Assert.That(s.HasInterest("foo"), Is.False);

        void Check(Subscription sub, params (string Subject, bool Expected)[] cases)
        {
            s.Insert(sub);
            foreach (var (subject, expected) in cases)
            {
                Assert.That(s.HasInterest(subject), Is.EqualTo(expected), $"{sub} / {subject}");
                s.Match(subject); // Populate the cache, then ask again.
                Assert.That(s.HasInterest(subject), Is.EqualTo(expected), $"{sub} / {subject} (cached)");
            }
            s.Remove(sub);
            foreach (var (subject, _) in cases)
            {
                Assert.That(s.HasInterest(subject), Is.False, $"{sub} removed / {subject}");
            }
        }

        foreach (var make in new Func<string, Subscription>[] { Plain, subject => Queue(subject, "bar") })
        {
            Check(make("foo.*"), ("foo", false), ("foo.bar", true), ("foo.bar.baz", false));
            Check(make("foo.>"), ("foo", false), ("foo.bar", true), ("foo.bar.baz", true));
            Check(make("*.>"), ("foo", false), ("foo.bar", true), ("foo.baz", true));
            Check(make("*.bar"), ("foo", false), ("foo.bar", true), ("foo.baz", false));
            Check(make("*"), ("foo", true), ("foo.bar", false));
            Check(make("foo"), ("foo", true), ("foo.bar", false));
        }
    }

    [Test]
    public void HasInterestOverlapping()
    {
        var s = NewSublist();
        s.Insert(Plain("stream.A.child"));
        s.Insert(Plain("stream.*"));
        Assert.That(s.HasInterest("stream.A.child"), Is.True);
        Assert.That(s.HasInterest("stream.A"), Is.True);
        Assert.That(s.HasInterest("stream.A.other"), Is.False);
    }

    [Test]
    public void StatsCountInsertsRemovesAndMatches()
    {
        var s = NewSublist();
        s.Insert(Plain("foo"));
        s.Insert(Plain("bar"));
        s.Insert(Plain("baz"));
        var fbb = Plain("foo.bar.baz");
        s.Insert(fbb);
        s.Remove(fbb);
        s.Match("a.b.c");
        s.Match("bar");
        s.Match("bar");
        var stats = s.Stats();
        Assert.That(stats.NumSubscriptions, Is.EqualTo(3));
        Assert.That(stats.NumInserts, Is.EqualTo(4));
        Assert.That(stats.NumRemoves, Is.EqualTo(1));
        Assert.That(stats.NumMatches, Is.EqualTo(3));
        if (cache)
        {
            Assert.That(stats.NumCache, Is.EqualTo(2));
            Assert.That(stats.CacheHitRate, Is.EqualTo(1.0 / 3).Within(1e-9));
            Assert.That(stats.MaxFanout, Is.EqualTo(1));
            Assert.That(stats.AvgFanout, Is.EqualTo(0.5)); // "a.b.c" → 0, "bar" → 1.
        }
        else
        {
            // TestSublistNoCacheStats.
            Assert.That(stats.NumCache, Is.EqualTo(0));
            Assert.That(stats.CacheHitRate, Is.EqualTo(0));
            Assert.That(stats.AvgFanout, Is.EqualTo(0));
        }
    }
}
