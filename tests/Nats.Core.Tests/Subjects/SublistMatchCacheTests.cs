using Nats.Core.Subjects;
using static Nats.Core.Tests.Subjects.TestSubs;

namespace Nats.Core.Tests.Subjects;

/// <summary>The per-publisher cache in front of a sublist.</summary>
public sealed class SublistMatchCacheTests
{
    [Test]
    public void HitsSkipTheSharedSublist()
    {
        var s = new Sublist();
        var sub = Plain("foo.*");
        s.Insert(sub);
        var cache = new SublistMatchCache(s);
        var first = cache.Match("foo.bar"u8);
        Assert.That(first.Plains(), Is.EqualTo(new[] { sub }));
        var matches = s.Stats().NumMatches;
        for (var i = 0; i < 10; i++)
        {
            Assert.That(cache.Match("foo.bar"u8), Is.SameAs(first));
        }
        Assert.That(s.Stats().NumMatches, Is.EqualTo(matches), "no call reached the sublist");
    }

    [Test]
    public void AnyChangeOfTheSublistInvalidates()
    {
        var s = new Sublist();
        var a = Plain("foo.bar");
        s.Insert(a);
        var cache = new SublistMatchCache(s);
        Assert.That(cache.Match("foo.bar"u8).Plains(), Is.EqualTo(new[] { a }));

        var b = Plain("foo.>");
        s.Insert(b);
        Assert.That(cache.Match("foo.bar"u8).Plains(), Is.EquivalentTo(new[] { a, b }));

        s.Remove(a);
        Assert.That(cache.Match("foo.bar"u8).Plains(), Is.EqualTo(new[] { b }));

        var q = Remote("foo.bar", "q", 2);
        s.Insert(q);
        Assert.That(cache.Match("foo.bar"u8).Group("q").TotalWeight, Is.EqualTo(2));
        s.UpdateQueueWeight(q, 5);
        Assert.That(cache.Match("foo.bar"u8).Group("q").TotalWeight, Is.EqualTo(5));

        s.RemoveBatch([b, q]);
        Assert.That(cache.Match("foo.bar"u8).IsEmpty, Is.True);
    }

    [Test]
    public void HoldsSeveralSubjectsAndEvictsRoundRobin()
    {
        var s = new Sublist();
        s.Insert(Plain(">"));
        var cache = new SublistMatchCache(s, capacity: 3);
        var subjects = new[] { "a", "b", "c", "d" };
        foreach (var subject in subjects)
        {
            cache.Match(Utf8(subject));
        }
        Assert.That(cache.Count, Is.EqualTo(3));
        var matches = s.Stats().NumMatches;
        cache.Match("b"u8);
        cache.Match("c"u8);
        cache.Match("d"u8);
        Assert.That(s.Stats().NumMatches, Is.EqualTo(matches), "b, c, d are held");
        cache.Match("a"u8);
        Assert.That(s.Stats().NumMatches, Is.EqualTo(matches + 1), "a was evicted first");
    }

    [Test]
    public void SubjectsThatArePrefixesOfEachOtherAreDistinct()
    {
        var s = new Sublist();
        var shortSub = Plain("foo");
        var longSub = Plain("foo.bar");
        s.Insert(shortSub);
        s.Insert(longSub);
        var cache = new SublistMatchCache(s);
        Assert.That(cache.Match("foo.bar"u8).Plains(), Is.EqualTo(new[] { longSub }));
        Assert.That(cache.Match("foo"u8).Plains(), Is.EqualTo(new[] { shortSub }));
        Assert.That(cache.Match("foo.bar"u8).Plains(), Is.EqualTo(new[] { longSub }));
        Assert.That(cache.Match("fo"u8).IsEmpty, Is.True);
        Assert.That(cache.Match(""u8).IsEmpty, Is.True);
    }

    [Test]
    public void ReusesCallerBuffersSafely()
    {
        // The subject arrives in a receive buffer that is overwritten afterwards.
        var s = new Sublist();
        var sub = Plain("abc");
        s.Insert(sub);
        var cache = new SublistMatchCache(s);
        var buffer = Utf8("abc");
        Assert.That(cache.Match(buffer).Plains(), Is.EqualTo(new[] { sub }));
        buffer[0] = (byte)'x';
        Assert.That(cache.Match(buffer).IsEmpty, Is.True);
        Assert.That(cache.Match("abc"u8).Plains(), Is.EqualTo(new[] { sub }));
    }

    [Test]
    public void ClearDropsEntries()
    {
        var s = new Sublist();
        s.Insert(Plain("a"));
        var cache = new SublistMatchCache(s);
        cache.Match("a"u8);
        Assert.That(cache.Count, Is.EqualTo(1));
        cache.Clear();
        Assert.That(cache.Count, Is.EqualTo(0));
        Assert.That(cache.Match("a"u8).Plains(), Has.Length.EqualTo(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SublistMatchCache(s, 0));
    }
}
