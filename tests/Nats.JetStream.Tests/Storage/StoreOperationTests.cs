using System.Text;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>Operations and limits, the same for the file and the memory store.</summary>
[TestFixture(StorageType.File)]
[TestFixture(StorageType.Memory)]
[CancelAfter(30_000)]
public sealed class StoreOperationTests(StorageType type)
{
    private StoreFixture _fx = null!;

    [SetUp]
    public void SetUp() => _fx = new StoreFixture(type) { BlockSize = 4096 };

    [TearDown]
    public void TearDown() => _fx.Dispose();

    [Test]
    public void Appends_get_consecutive_sequences_and_read_back()
    {
        var store = _fx.Open();
        for (var i = 1; i <= 500; i++)
        {
            Assert.That(store.Put($"orders.{i % 7}", $"payload {i}", headers: i % 2 == 0 ? "NATS/1.0\r\nA: b\r\n\r\n" : null), Is.EqualTo((ulong)i));
        }
        var m = store.Get(321)!;
        Assert.That(m.Subject, Is.EqualTo("orders.6"));
        Assert.That(m.Text(), Is.EqualTo("payload 321"));
        Assert.That(Encoding.ASCII.GetString(store.Get(322)!.Headers.Span), Is.EqualTo("NATS/1.0\r\nA: b\r\n\r\n"));
        var state = store.State();
        Assert.That((state.Msgs, state.FirstSeq, state.LastSeq, state.NumSubjects), Is.EqualTo((500UL, 1UL, 500UL, 7)));
        Assert.That(state.FirstTime, Is.GreaterThan(0));
        Assert.That(state.LastTime, Is.GreaterThanOrEqualTo(state.FirstTime));
    }

    [Test]
    public void Bytes_are_accounted_as_nats_server_does()
    {
        var store = _fx.Open();
        store.Put("foo", "hello");
        store.Put("foo", "hello", headers: "NATS/1.0\r\n\r\n");
        var expected = type == StorageType.File ? (22 + 3 + 5 + 8) + (22 + 3 + 4 + 12 + 5 + 8) : (3 + 5 + 16) + (3 + 12 + 5 + 16);
        Assert.That(store.State().Bytes, Is.EqualTo((ulong)expected));
    }

    [Test]
    public void Removing_interior_and_first_messages_updates_state()
    {
        var store = _fx.Open();
        for (var i = 0; i < 10; i++)
        {
            store.Put("a");
        }
        Assert.That(store.Remove(5), Is.True);
        Assert.That(store.Remove(5), Is.False);
        Assert.That(store.Remove(1), Is.True);
        Assert.That(store.Remove(99), Is.False);
        var state = store.State();
        Assert.That((state.Msgs, state.FirstSeq, state.LastSeq, state.NumDeleted), Is.EqualTo((8UL, 2UL, 10UL, 1UL)));
        Assert.That(store.DeletedSequences(), Is.EqualTo(new[] { 5UL }));
        Assert.That(store.Get(5), Is.Null);
        Assert.That(store.Seqs(), Is.EqualTo(new ulong[] { 2, 3, 4, 6, 7, 8, 9, 10 }));
    }

    [Test]
    public void Max_msgs_discard_old_drops_the_oldest()
    {
        var store = _fx.Open(new StoreLimits { MaxMsgs = 3 });
        for (var i = 0; i < 10; i++)
        {
            store.Put("a");
        }
        var state = store.State();
        Assert.That((state.Msgs, state.FirstSeq, state.LastSeq), Is.EqualTo((3UL, 8UL, 10UL)));
    }

    [Test]
    public void Max_msgs_discard_new_refuses()
    {
        var store = _fx.Open(new StoreLimits { MaxMsgs = 3, Discard = DiscardPolicy.New });
        for (var i = 0; i < 3; i++)
        {
            store.Put("a");
        }
        Assert.That(store.TryPut("a"), Is.EqualTo(StoreError.MaxMsgs));
        Assert.That(store.State().LastSeq, Is.EqualTo(3UL));
    }

    [Test]
    public void Max_bytes_old_and_new()
    {
        var size = (long)_fx.Open().AccountedSize(1, 0, 10);
        var old = new StoreFixture(type);
        try
        {
            var store = old.Open(new StoreLimits { MaxBytes = size * 5 });
            for (var i = 0; i < 20; i++)
            {
                store.Put("a", "0123456789");
            }
            Assert.That(store.State().Msgs, Is.EqualTo(5UL));
            Assert.That(store.State().FirstSeq, Is.EqualTo(16UL));
        }
        finally
        {
            old.Dispose();
        }
        var fresh = new StoreFixture(type);
        try
        {
            var store = fresh.Open(new StoreLimits { MaxBytes = size * 5, Discard = DiscardPolicy.New });
            for (var i = 0; i < 5; i++)
            {
                store.Put("a", "0123456789");
            }
            Assert.That(store.TryPut("a", "0123456789"), Is.EqualTo(StoreError.MaxBytes));
        }
        finally
        {
            fresh.Dispose();
        }
    }

    [Test]
    public void Max_msgs_per_subject_keeps_the_newest_per_subject()
    {
        var store = _fx.Open(new StoreLimits { MaxMsgsPerSubject = 2 });
        for (var i = 1; i <= 9; i++)
        {
            store.Put($"kv.{i % 3}", $"v{i}");
        }
        store.Sync();
        Assert.That(store.Seqs(), Is.EqualTo(new ulong[] { 4, 5, 6, 7, 8, 9 }));
        Assert.That(store.SubjectsTotals(SubjectFilter.All).Values, Is.All.EqualTo(2UL));
        var m = new StoredMessage();
        Assert.That(store.LoadLast(SubjectFilter.Of("kv.1"), m), Is.EqualTo(7UL));
        Assert.That(m.Text(), Is.EqualTo("v7"));
    }

    [Test]
    public void Discard_new_per_subject_refuses_at_the_subject_limit()
    {
        var store = _fx.Open(new StoreLimits { MaxMsgsPerSubject = 1, Discard = DiscardPolicy.New, DiscardNewPerSubject = true });
        store.Put("kv.a");
        store.Put("kv.b");
        Assert.That(store.TryPut("kv.a"), Is.EqualTo(StoreError.MaxMsgsPerSubject));
        var error = store.Append("kv.a"u8, default, "x"u8, 0, out _, out _, isRollupOrForced: true);
        Assert.That(error, Is.EqualTo(StoreError.None));
        Assert.That(store.Seqs("kv.a"), Is.EqualTo(new ulong[] { 3 }));
    }

    [Test]
    public void Max_msg_size_refuses_big_messages()
    {
        var store = _fx.Open(new StoreLimits { MaxMsgSize = 8 });
        Assert.That(store.TryPut("a", "123456789"), Is.EqualTo(StoreError.MsgTooLarge));
        Assert.That(store.TryPut("a", "12345678"), Is.EqualTo(StoreError.None));
    }

    [Test]
    public async Task Max_age_expires_old_messages()
    {
        var store = _fx.Open(new StoreLimits { MaxAge = TimeSpan.FromMilliseconds(300) });
        store.Put("a");
        store.Put("b");
        Assert.That(store.State().Msgs, Is.EqualTo(2UL));
        await Nats.TestSupport.Eventually.TrueAsync(() => store.State().Msgs == 0, "max_age expiry");
        Assert.That(store.State().FirstSeq, Is.EqualTo(3UL));
    }

    [Test]
    public async Task Per_message_ttl_expires_that_message_only()
    {
        var store = _fx.Open();
        store.Put("a");
        store.Put("b", ttl: 300_000_000);
        store.Put("c");
        await Nats.TestSupport.Eventually.TrueAsync(() => store.State().Msgs == 2, "ttl expiry");
        Assert.That(store.Seqs(), Is.EqualTo(new ulong[] { 1, 3 }));
    }

    [Test]
    public void Purge_all_keeps_the_sequence()
    {
        var store = _fx.Open();
        for (var i = 0; i < 50; i++)
        {
            store.Put($"s.{i % 5}");
        }
        Assert.That(store.Purge(), Is.EqualTo(50UL));
        var state = store.State();
        Assert.That((state.Msgs, state.FirstSeq, state.LastSeq, state.NumSubjects), Is.EqualTo((0UL, 51UL, 50UL, 0)));
        Assert.That(store.Put("s.1"), Is.EqualTo(51UL));
    }

    [Test]
    public void Purge_by_subject_keep_and_sequence()
    {
        var store = _fx.Open();
        for (var i = 1; i <= 30; i++)
        {
            store.Put($"s.{i % 3}");
        }
        Assert.That(store.PurgeEx("s.1", 0, 0), Is.EqualTo(10UL));
        Assert.That(store.Seqs("s.1"), Is.Empty);
        Assert.That(store.PurgeEx("s.2", 0, 3), Is.EqualTo(7UL));
        Assert.That(store.Seqs("s.2"), Is.EqualTo(new ulong[] { 23, 26, 29 }));
        Assert.That(store.PurgeEx("s.0", 16, 0), Is.EqualTo(5UL));
        Assert.That(store.Seqs("s.0"), Is.EqualTo(new ulong[] { 18, 21, 24, 27, 30 }));
        Assert.That(store.PurgeTo(25), Is.EqualTo(4UL));
        Assert.That(store.Seqs(), Is.EqualTo(new ulong[] { 26, 27, 29, 30 }));
        Assert.That(store.PurgeEx(">", 0, 1), Is.EqualTo(3UL));
        Assert.That(store.Seqs(), Is.EqualTo(new ulong[] { 30 }));
    }

    [Test]
    public void Purge_to_beyond_the_end_moves_the_sequence()
    {
        var store = _fx.Open();
        store.Put("a");
        store.PurgeTo(100);
        var state = store.State();
        Assert.That((state.Msgs, state.FirstSeq, state.LastSeq), Is.EqualTo((0UL, 100UL, 99UL)));
        Assert.That(store.Put("a"), Is.EqualTo(100UL));
    }

    [Test]
    public void Filters_next_last_and_pending()
    {
        var store = _fx.Open();
        for (var i = 1; i <= 100; i++)
        {
            store.Put($"orders.{(i % 2 == 0 ? "eu" : "us")}.{i % 5}");
        }
        store.Sync();
        var m = new StoredMessage();
        Assert.That(store.LoadNext(SubjectFilter.Of("orders.us.*"), 10, m), Is.EqualTo(11UL));
        Assert.That(store.LoadNext(new SubjectFilter(["orders.eu.3", "orders.us.3"]), 1, m), Is.EqualTo(3UL));
        Assert.That(store.LoadNext(SubjectFilter.Of("orders.eu.3"), 9, m), Is.EqualTo(18UL));
        Assert.That(store.LoadLast(SubjectFilter.Of("orders.*.1"), m), Is.EqualTo(96UL));
        Assert.That(store.LoadLast(SubjectFilter.Of("orders.eu.>"), m), Is.EqualTo(100UL));
        Assert.That(store.NumPending(1, SubjectFilter.Of("orders.eu.>"), false), Is.EqualTo(50UL));
        Assert.That(store.NumPending(91, SubjectFilter.Of("orders.eu.>"), false), Is.EqualTo(5UL));
        Assert.That(store.NumPending(51, SubjectFilter.Of("orders.us.1"), false), Is.EqualTo(5UL));
        Assert.That(store.NumPending(1, SubjectFilter.All, false), Is.EqualTo(100UL));
        Assert.That(store.NumPending(60, SubjectFilter.All, false), Is.EqualTo(41UL));
        Assert.That(store.NumPending(1, SubjectFilter.Of("orders.>"), true), Is.EqualTo(10UL));
        Assert.That(store.NumPending(96, SubjectFilter.Of("orders.>"), true), Is.EqualTo(5UL));
        var fs = store.FilteredState(20, SubjectFilter.Of("orders.us.>"));
        Assert.That(fs, Is.EqualTo(new FilteredState(40, 21, 99)));
        Assert.That(store.MultiLastSeqs(["orders.eu.*"], 0, 0), Is.EqualTo(new ulong[] { 92, 94, 96, 98, 100 }));
        Assert.That(store.MultiLastSeqs(["orders.eu.*"], 95, 0), Is.EqualTo(new ulong[] { 86, 88, 92, 94, 90 }.Order()));
        Assert.That(store.MultiLastSeqs([">"], 0, 3), Is.Null);
    }

    [Test]
    public void Subject_first_and_last_follow_removals()
    {
        var store = _fx.Open();
        for (var i = 1; i <= 20; i++)
        {
            store.Put(i % 2 == 0 ? "even" : "odd");
        }
        store.Remove(2);
        store.Remove(20);
        store.Remove(18);
        store.Sync();
        var states = store.SubjectsState(SubjectFilter.Of("even"));
        Assert.That(states["even"], Is.EqualTo(new FilteredState(7, 4, 16)));
        var m = new StoredMessage();
        Assert.That(store.LoadLast(SubjectFilter.Of("even"), m), Is.EqualTo(16UL));
    }

    [Test]
    public void Sequence_from_time()
    {
        var store = _fx.Open();
        store.Put("a");
        store.Sync();
        var mid = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100 + 1;
        Thread.Sleep(5);
        store.Put("b");
        store.Sync();
        Assert.That(store.SeqFromTime(0), Is.EqualTo(1UL));
        Assert.That(store.SeqFromTime(mid), Is.EqualTo(2UL));
        Assert.That(store.SeqFromTime(long.MaxValue), Is.EqualTo(3UL));
    }

    [Test]
    public void Workqueue_style_removals_across_blocks_compact_and_drop_blocks()
    {
        var store = _fx.Open();
        var payload = new string('p', 100);
        for (var i = 0; i < 2000; i++)
        {
            store.Put("q", payload);
        }
        // Remove every message but each 10th, out of order.
        for (var seq = 2000UL; seq >= 1; seq--)
        {
            if (seq % 10 != 0)
            {
                store.Remove(seq);
            }
        }
        Assert.That(store.State().Msgs, Is.EqualTo(200UL));
        Assert.That(store.Seqs().Count, Is.EqualTo(200));
        Assert.That(store.Seqs().All(s => s % 10 == 0), Is.True);
    }

    [Test]
    public void Erase_removes_the_message()
    {
        var store = _fx.Open();
        store.Put("a", "secret-one");
        store.Put("a", "two");
        store.Put("a", "three");
        Assert.That(store.Erase(2), Is.True);
        Assert.That(store.Get(2), Is.Null);
        Assert.That(store.Seqs(), Is.EqualTo(new ulong[] { 1, 3 }));
        Assert.That(store.Put("b"), Is.EqualTo(4UL));
    }

    [Test]
    public void Skip_uses_a_sequence_without_a_message()
    {
        var store = _fx.Open();
        store.Put("a");
        Assert.That(store.SkipMsg(), Is.EqualTo(2UL));
        Assert.That(store.Put("a"), Is.EqualTo(3UL));
        Assert.That(store.Seqs(), Is.EqualTo(new ulong[] { 1, 3 }));
        Assert.That(store.State().NumDeleted, Is.EqualTo(1UL));
    }

    [Test]
    public void First_sequence_of_a_new_store()
    {
        var store = _fx.Open(new StoreLimits { FirstSeq = 1000 });
        Assert.That(store.State().FirstSeq, Is.EqualTo(1000UL));
        Assert.That(store.Put("a"), Is.EqualTo(1000UL));
    }
}
