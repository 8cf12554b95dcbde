using Nats.Core.Subjects;
using static Nats.Core.Tests.Subjects.TestSubs;

namespace Nats.Core.Tests.Subjects;

/// <summary>
/// The hot path allocates nothing: shared cache hits, private cache hits, member picking and
/// span validation. Each check warms up first so JIT tiering and lazy statics are out of the way.
/// </summary>
public sealed class AllocationTests
{
    private const int Iterations = 20_000;

    private static long AllocatedBy(Action action)
    {
        for (var i = 0; i < 3; i++)
        {
            action(); // Warm-up: tier-up, static constructors, thread-static buffers.
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static Sublist Populated()
    {
        var s = new Sublist();
        s.Insert(Plain("orders.new"));
        s.Insert(Plain("orders.*"));
        s.Insert(Plain("orders.>"));
        s.Insert(Queue("orders.new", "workers"));
        s.Insert(Remote("orders.new", "workers", 3));
        s.Insert(Queue("orders.*", "audit"));
        return s;
    }

    [Test]
    public void SharedCacheHitAllocatesNothing()
    {
        var s = Populated();
        var subject = Utf8("orders.new");
        var negative = Utf8("nobody.listens");
        var bytes = AllocatedBy(() =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                if (s.Match(subject).Fanout != 5 || !s.Match(negative).IsEmpty || !s.HasInterest(subject))
                {
                    throw new AssertionException("wrong result");
                }
            }
        });
        Assert.That(bytes, Is.EqualTo(0));
        Assert.That(s.CacheHits, Is.EqualTo(4L * 2 * Iterations - 2), "all but the two first calls hit");
    }

    [Test]
    public void PublisherCacheHitAllocatesNothing()
    {
        var s = Populated();
        var cache = new SublistMatchCache(s);
        var subjects = new[] { Utf8("orders.new"), Utf8("orders.old"), Utf8("orders.new.eu") };
        var bytes = AllocatedBy(() =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                if (cache.Match(subjects[i % 3]).IsEmpty)
                {
                    throw new AssertionException("wrong result");
                }
            }
        });
        Assert.That(bytes, Is.EqualTo(0));
    }

    [Test]
    public void PublisherCacheRefillAfterInvalidationReusesItsBuffers()
    {
        var s = Populated();
        var cache = new SublistMatchCache(s);
        var subject = Utf8("orders.new");
        var bytes = AllocatedBy(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                cache.Clear();
                // Misses the private cache, hits the shared one, stores into an existing buffer.
                cache.Match(subject);
            }
        });
        Assert.That(bytes, Is.EqualTo(0));
    }

    [Test]
    public void PickingMembersAllocatesNothing()
    {
        var s = Populated();
        var r = s.Match("orders.new");
        var weighted = r.Group("workers");
        var uniform = r.Group("audit");
        var random = new Random(1);
        var bytes = AllocatedBy(() =>
        {
            var x = 0x9E3779B9u;
            for (var i = 0; i < Iterations; i++)
            {
                x = x * 1664525 + 1013904223;
                _ = weighted.PickMember(x);
                _ = uniform.PickMember(x);
                _ = weighted.PickMember(random);
                _ = uniform.PickIndex(x);
            }
        });
        Assert.That(bytes, Is.EqualTo(0));
    }

    [Test]
    public void SpanValidationAllocatesNothing()
    {
        var subject = Utf8("orders.*.eu.>");
        var bytes = AllocatedBy(() =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                if (!SubjectValidator.IsValidSubject(subject, checkRunes: true)
                    || SubjectValidator.IsValidPublishSubject(subject)
                    || !SubjectMatcher.SubjectMatchesFilter("orders.x.eu.y"u8, subject)
                    || !SubjectValidator.IsValidSubject("orders.new.string"))
                {
                    throw new AssertionException("wrong result");
                }
            }
        });
        Assert.That(bytes, Is.EqualTo(0));
    }
}
