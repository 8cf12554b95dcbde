using System.Text;
using Nats.Core.Connections;

namespace Nats.Core.Tests.Connections;

/// <summary>
/// allow_responses' table of reply subjects: how many responses each allows and for how long,
/// and that a request answered as allowed (add, then consume) allocates nothing once warm.
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class ResponsePermissionTableTests
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(2);

    [Test]
    public void One_response_is_allowed_by_default_and_only_to_the_reply_subject()
    {
        var table = new ResponsePermissionTable();
        table.Track("_INBOX.a.1"u8, 1, Minutes);
        Assert.That(table.TryConsume("_INBOX.a.2"u8), Is.False, "another subject");
        Assert.That(table.TryConsume("_INBOX.a"u8), Is.False, "a prefix");
        Assert.That(table.TryConsume("_INBOX.a.1"u8), Is.True);
        Assert.That(table.TryConsume("_INBOX.a.1"u8), Is.False, "the one response was sent");
        Assert.That(table.Count, Is.Zero);
    }

    [Test]
    public void Max_counts_responses_and_zero_allows_any_number()
    {
        var table = new ResponsePermissionTable();
        table.Track("two"u8, 2, Minutes);
        table.Track("any"u8, 0, Minutes);
        Assert.That(table.TryConsume("two"u8), Is.True);
        Assert.That(table.TryConsume("two"u8), Is.True);
        Assert.That(table.TryConsume("two"u8), Is.False);
        for (var i = 0; i < 10; i++)
        {
            Assert.That(table.TryConsume("any"u8), Is.True);
        }
    }

    [Test]
    public void A_second_request_with_the_same_reply_renews_the_entry()
    {
        var table = new ResponsePermissionTable();
        table.Track("r"u8, 1, Minutes);
        Assert.That(table.TryConsume("r"u8), Is.True);
        table.Track("r"u8, 2, Minutes);
        table.Track("r"u8, 1, Minutes);
        Assert.That(table.TryConsume("r"u8), Is.True);
        Assert.That(table.TryConsume("r"u8), Is.False, "the latest request's max counts");
    }

    [Test]
    public void An_expired_entry_allows_nothing_and_is_pruned_when_the_table_grows()
    {
        var table = new ResponsePermissionTable();
        table.Track("old"u8, 1, TimeSpan.Zero);
        Thread.Sleep(1);
        Assert.That(table.TryConsume("old"u8), Is.False);
        Assert.That(table.Count, Is.Zero, "consuming an expired entry removes it");

        for (var i = 0; i < 1024; i++)
        {
            table.Track(Encoding.ASCII.GetBytes($"gone.{i}"), 1, TimeSpan.Zero);
        }
        Thread.Sleep(1);
        table.Track("kept"u8, 1, Minutes);
        Assert.That(table.Count, Is.EqualTo(1), "the 1025th entry pruned the expired ones");
        Assert.That(table.TryConsume("kept"u8), Is.True);
    }

    [Test]
    public void Requests_answered_once_allocate_nothing()
    {
        var table = new ResponsePermissionTable();
        // Unique reply subjects, as a requester's inboxes are; a few in flight at a time.
        var replies = Enumerable.Range(0, 1000).Select(i => Encoding.ASCII.GetBytes($"_INBOX.Xy7Qp2Lm9Rt4Vw1Zs8Kd3F.{i}")).ToArray();
        void Round(int inFlight)
        {
            for (var i = 0; i < replies.Length; i += inFlight)
            {
                for (var j = i; j < i + inFlight; j++)
                {
                    table.Track(replies[j], 1, Minutes);
                }
                for (var j = i; j < i + inFlight; j++)
                {
                    if (!table.TryConsume(replies[j]))
                    {
                        Assert.Fail($"response {j} refused");
                    }
                }
            }
        }
        Round(4);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Round(1);
        Round(4);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero, "2000 requests answered");
        Assert.That(table.Count, Is.Zero);
    }
}
