using System.Diagnostics;
using Nats.Core.Subjects;
using static Nats.Core.Tests.Subjects.TestSubs;

namespace Nats.Core.Tests.Subjects;

/// <summary>Inserts, removes and matches from several threads at once.</summary>
public sealed class SublistConcurrencyTests
{
    private static readonly string[] Alphabet = ["a", "b", "c", "d", "e", "f"];

    /// <summary>Every literal subject of 1 to 4 tokens over the alphabet: 1554 of them, more than the cache holds.</summary>
    private static readonly string[] Literals = BuildLiterals();

    private static string[] BuildLiterals()
    {
        var all = new List<string>();
        var level = new List<string>(Alphabet);
        for (var depth = 1; depth <= 4; depth++)
        {
            all.AddRange(level);
            level = level.SelectMany(p => Alphabet.Select(t => p + "." + t)).ToList();
        }
        return all.ToArray();
    }

    private static Subscription RandomSub(Random rnd)
    {
        var depth = rnd.Next(1, 5);
        var tokens = new string[depth];
        for (var i = 0; i < depth; i++)
        {
            tokens[i] = rnd.NextDouble() < 0.25 ? "*" : Alphabet[rnd.Next(Alphabet.Length)];
        }
        if (rnd.NextDouble() < 0.15)
        {
            tokens[^1] = ">";
        }
        var subject = string.Join('.', tokens);
        return rnd.Next(3) switch
        {
            0 => Queue(subject, "q" + rnd.Next(2)),
            1 => Remote(subject, "q" + rnd.Next(2), rnd.Next(1, 4)),
            _ => Plain(subject),
        };
    }

    private static void AssertResultIsPlausible(SublistResult r, string subject)
    {
        foreach (var sub in r.Subscriptions)
        {
            if (sub.Queue is not null || !SubjectMatcher.SubjectMatchesFilter(subject, sub.SubjectString))
            {
                throw new AssertionException($"plain result {sub} does not belong to {subject}");
            }
        }
        foreach (var group in r.QueueGroups)
        {
            if (group.Count == 0)
            {
                throw new AssertionException("empty queue group");
            }
            foreach (var sub in group.Members)
            {
                if (!group.HasName(sub.Queue) || !SubjectMatcher.SubjectMatchesFilter(subject, sub.SubjectString))
                {
                    throw new AssertionException($"queue member {sub} does not belong to {subject} / {group.NameString}");
                }
            }
        }
    }

    [Test]
    public void ParallelInsertsRemovesAndMatchesEndConsistent()
    {
        const int writers = 2, subsPerWriter = 120, opsPerWriter = 6000;
        var s = new Sublist();
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(20);
        var owned = new List<Subscription>[writers];
        var present = new HashSet<Subscription>[writers];
        for (var w = 0; w < writers; w++)
        {
            var rnd = new Random(100 + w);
            owned[w] = Enumerable.Range(0, subsPerWriter).Select(_ => RandomSub(rnd)).ToList();
            present[w] = new HashSet<Subscription>(ReferenceEqualityComparer.Instance);
        }
        var stop = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

        void Writer(int w)
        {
            var rnd = new Random(200 + w);
            for (var op = 0; op < opsPerWriter && deadline.Elapsed < limit; op++)
            {
                if (rnd.Next(50) == 0)
                {
                    // Occasionally a connection goes away with many subscriptions at once.
                    var batch = present[w].Where(_ => rnd.Next(2) == 0).ToList();
                    if (s.RemoveBatch(batch) != batch.Count)
                    {
                        throw new AssertionException("batch removal lost subscriptions");
                    }
                    present[w].ExceptWith(batch);
                    continue;
                }
                var sub = owned[w][rnd.Next(subsPerWriter)];
                if (present[w].Contains(sub))
                {
                    if (!s.Remove(sub))
                    {
                        throw new AssertionException($"remove of present {sub} failed");
                    }
                    present[w].Remove(sub);
                }
                else
                {
                    s.Insert(sub);
                    present[w].Add(sub);
                }
            }
        }

        void Reader(int r, bool privateCache)
        {
            var rnd = new Random(300 + r);
            var cache = new SublistMatchCache(s);
            while (Volatile.Read(ref stop) == 0)
            {
                // Mostly a few hot subjects (cache hits), sometimes any subject (misses, sweeps).
                var subject = rnd.Next(4) == 0 ? Literals[rnd.Next(Literals.Length)] : Literals[rnd.Next(8)];
                var bytes = Utf8(subject);
                var result = privateCache ? cache.Match(bytes) : s.Match(bytes);
                AssertResultIsPlausible(result, subject);
                _ = s.HasInterest(bytes);
            }
        }

        Task Run(Action a) => Task.Factory.StartNew(() =>
        {
            try
            {
                a();
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        }, TaskCreationOptions.LongRunning);

        var readers = new[] { Run(() => Reader(0, false)), Run(() => Reader(1, true)) };
        Task.WaitAll(Enumerable.Range(0, writers).Select(w => Run(() => Writer(w))).ToArray());
        Volatile.Write(ref stop, 1);
        Task.WaitAll(readers);
        Assert.That(failures, Is.Empty, () => string.Join("\n", failures));

        var expected = present.SelectMany(p => p).ToList();
        Assert.That(s.Count, Is.EqualTo(expected.Count));
        Assert.That(s.All(), Is.EquivalentTo(expected));
        var publisher = new SublistMatchCache(s);
        foreach (var subject in Literals)
        {
            var want = Expected(expected, subject);
            // Twice through the shared path (second from cache) and through a private cache:
            // any entry left stale by a race shows up here.
            Assert.That(s.Match(subject).AllSubs(), Is.EquivalentTo(want), subject);
            Assert.That(s.Match(subject).AllSubs(), Is.EquivalentTo(want), subject);
            Assert.That(publisher.Match(Utf8(subject)).AllSubs(), Is.EquivalentTo(want), subject);
            Assert.That(s.HasInterest(subject), Is.EqualTo(want.Count > 0), subject);
        }
        var stats = s.Stats();
        Assert.That(stats.NumInserts - stats.NumRemoves, Is.EqualTo((ulong)expected.Count));
    }

    [Test]
    public void ResultsStayIntactWhileTheirSubscriptionsAreRemoved()
    {
        // TestSublistRaceOnRemove / RaceOnInsert: iterate a result while another thread changes the list.
        var s = new Sublist();
        foreach (var queued in new[] { true, false })
        {
            var subs = Enumerable.Range(0, 100).Select(_ => queued ? Queue("foo", "bar") : Plain("foo")).ToList();
            for (var round = 0; round < 2; round++)
            {
                foreach (var sub in subs)
                {
                    s.Insert(sub);
                }
                if (round == 1)
                {
                    s.Match("foo");
                }
                var r = s.Match("foo");
                var remover = Task.Run(() =>
                {
                    foreach (var sub in subs)
                    {
                        s.Remove(sub);
                    }
                });
                Assert.That(r.AllSubs(), Has.Count.EqualTo(100));
                foreach (var g in r.QueueGroups)
                {
                    foreach (var m in g.Members)
                    {
                        Assert.That(m.QueueString, Is.EqualTo("bar"));
                    }
                }
                remover.Wait();
                Assert.That(r.AllSubs(), Has.Count.EqualTo(100), "a result never changes");
                Assert.That(s.Match("foo").IsEmpty, Is.True);
            }
        }
    }

    [Test]
    public void ResultsAreNeverOlderThanTheGenerationReadBeforeMatching()
    {
        // The writer inserts N matching subscriptions one by one, then removes them one by one,
        // for several rounds, so at generation g exactly ExpectedAt(g) subscriptions match. A reader that read g
        // before matching, and still reads g afterwards, may see the state of g or of the one
        // change in flight (a writer patches the cache just before bumping the generation),
        // but never an older state: that would be a stale cache entry.
        const int n = 150, rounds = 10;
        static int ExpectedAt(long g) => (int)(g % (2 * n) <= n ? g % (2 * n) : 2 * n - g % (2 * n));
        // At peaks and troughs the states just before and just after look alike: skip them.
        static bool Ambiguous(long g) => g % n == 0;
        var s = new Sublist();
        var subs = Enumerable.Range(0, n).Select(_ => Plain("orders.*")).ToArray();
        var done = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var checks = 0L;

        // More distinct subjects than the shared cache holds: a publisher cycling through them
        // keeps missing, storing and sweeping, which is where a stale store would happen.
        var subjects = Enumerable.Range(0, SublistCache.MaxEntries + 100).Select(i => Utf8($"orders.{i}")).ToArray();
        var started = 0;

        void Publisher(string name, bool privateCache, bool cycle)
        {
            var cache = new SublistMatchCache(s);
            var i = 0;
            Interlocked.Increment(ref started);
            while (Volatile.Read(ref done) == 0)
            {
                var subject = cycle ? subjects[i++ % subjects.Length] : subjects[0];
                var g = s.Generation;
                var r = privateCache ? cache.Match(subject) : s.Match(subject);
                if (s.Generation != g || Ambiguous(g))
                {
                    continue; // Several changes overlapped, or g-1 and g+1 look alike.
                }
                Interlocked.Increment(ref checks);
                var count = r.Subscriptions.Length;
                if (count != ExpectedAt(g) && count != ExpectedAt(g + 1) && failures.Count < 5)
                {
                    failures.Enqueue($"{name}: generation {g}, {count} matches, expected {ExpectedAt(g)}");
                }
            }
        }

        var publishers = new[]
        {
            Task.Factory.StartNew(() => Publisher("private", privateCache: true, cycle: false), TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(() => Publisher("shared", privateCache: false, cycle: false), TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(() => Publisher("shared, cycling", privateCache: false, cycle: true), TaskCreationOptions.LongRunning),
        };
        // The writes must overlap the reads: wait until every publisher is running.
        Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref started) == publishers.Length, TimeSpan.FromSeconds(10)), Is.True);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var sub in subs)
            {
                s.Insert(sub);
            }
            foreach (var sub in subs)
            {
                s.Remove(sub);
            }
        }
        Volatile.Write(ref done, 1);
        Task.WaitAll(publishers);
        Assert.That(failures, Is.Empty, () => string.Join("\n", failures));
        Assert.That(Interlocked.Read(ref checks), Is.GreaterThan(0), "the check ran");
        foreach (var subject in subjects)
        {
            Assert.That(s.Match(subject).IsEmpty, Is.True, "no stale entry survives");
        }
    }
}
