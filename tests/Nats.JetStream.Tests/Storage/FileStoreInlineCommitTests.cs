using System.Collections.Concurrent;
using Nats.Core.Connections;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>
/// Who commits a publish (FileStore.Inline.cs): the lone record a client's read stored is
/// committed by that reader when the read ends, before the read returns; a second record in
/// the read, another connection writing the store, a write outside a read or a reader on the
/// pool leave the commit to a sync worker, as before. Readers here are threads of their own
/// with a flush batch that flushes in place, as a client's read loop on a socket thread.
/// </summary>
[CancelAfter(30_000)]
public sealed class FileStoreInlineCommitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private StoreFixture _fx = null!;
    private FileStore _store = null!;
    private DurableCalls _calls = null!;

    [SetUp]
    public void SetUp()
    {
        _fx = new StoreFixture(StorageType.File);
        _store = _fx.OpenFile();
        // Long enough that "within the window" never depends on how fast this machine runs, and
        // no commit counts as slow however busy its disk is (one test says otherwise).
        _store.SharedWindowMs = 600_000;
        _store.SlowCommitMs = double.MaxValue;
        _calls = new DurableCalls();
        _store.SetListener(_calls);
    }

    [TearDown]
    public void TearDown() => _fx.Dispose();

    /// <summary>Runs one "read" on a thread of its own: the records it appends, then the batch's end; returns the thread's id.</summary>
    private int ReadOn(FlushBatch batch, int records)
    {
        var id = 0;
        Exception? error = null;
        var reader = new Thread(() =>
        {
            try
            {
                id = Environment.CurrentManagedThreadId;
                Read(batch, records);
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        { IsBackground = true };
        reader.Start();
        Assert.That(reader.Join(Bound), Is.True, "the read did not end");
        Assert.That(error, Is.Null, error?.ToString());
        return id;
    }

    private void Read(FlushBatch batch, int records)
    {
        batch.Begin();
        try
        {
            FileStore.ReaderPublishing = true;
            for (var i = 0; i < records; i++)
            {
                _store.Put("s", "p");
            }
        }
        finally
        {
            FileStore.ReaderPublishing = false;
            batch.End();
        }
    }

    private static FlushBatch ClientBatch() => new() { FlushesInPlace = true };

    [Test]
    public void A_lone_publish_is_committed_by_its_reader_before_the_read_returns()
    {
        var batch = ClientBatch();
        for (var seq = 1UL; seq <= 3; seq++)
        {
            var reader = ReadOn(batch, 1);
            // No waiting: the read's end committed it on the reader's thread.
            Assert.That(_store.DurableSeq, Is.EqualTo(seq), "durable when the read returned");
            Assert.That(_calls.ThreadOf(seq), Is.EqualTo(reader), $"message {seq} committed by its reader");
        }
    }

    [Test]
    public void Two_records_in_one_read_go_to_a_worker()
    {
        var reader = ReadOn(ClientBatch(), 2);
        _store.Sync();
        Assert.That(_calls.ThreadOf(2), Is.Not.EqualTo(reader), "a stream of publishes keeps the worker's overlap");
        Assert.That(_store.Seqs(), Is.EqualTo(new ulong[] { 1, 2 }));
    }

    [Test]
    public void Another_connection_writing_the_store_sends_both_to_the_worker()
    {
        var first = ClientBatch();
        var alone = ReadOn(first, 1);
        Assert.That(_calls.ThreadOf(1), Is.EqualTo(alone), "alone: its reader commits");
        var other = ReadOn(ClientBatch(), 1);
        _store.Sync();
        Assert.That(_calls.ThreadOf(2), Is.Not.EqualTo(other), "a second connection: the worker commits");
        var again = ReadOn(first, 1);
        _store.Sync();
        Assert.That(_calls.ThreadOf(3), Is.Not.EqualTo(again), "still shared within the window");
    }

    [Test]
    public void A_slow_reader_commit_sends_the_next_ones_to_the_worker()
    {
        // Every commit counts as slow: the first one, on the reader, takes the next ones off it.
        _store.SlowCommitMs = 0;
        var batch = ClientBatch();
        var first = ReadOn(batch, 1);
        Assert.That(_calls.ThreadOf(1), Is.EqualTo(first));
        var second = ReadOn(batch, 1);
        _store.Sync();
        Assert.That(_calls.ThreadOf(2), Is.Not.EqualTo(second), "the disk was slow: the worker commits");
    }

    [Test]
    public void A_write_outside_any_read_goes_to_a_worker()
    {
        var test = Environment.CurrentManagedThreadId;
        _store.Put("s", "no read");
        _store.Sync();
        Assert.That(_calls.ThreadOf(1), Is.Not.EqualTo(test));
    }

    [Test]
    public void A_read_that_does_not_flush_in_place_leaves_the_commit_to_a_worker()
    {
        // A route's or a plugin's batch, not a client's read loop.
        var reader = ReadOn(new FlushBatch(), 1);
        _store.Sync();
        Assert.That(_calls.ThreadOf(1), Is.Not.EqualTo(reader));
    }

    [Test]
    public void A_reader_on_the_pool_leaves_the_commit_to_a_worker()
    {
        // A blocked pool thread would hold up the work queued behind it.
        var onPool = Task.Run(() =>
        {
            Read(ClientBatch(), 1);
            return Environment.CurrentManagedThreadId;
        });
        Assert.That(onPool.Wait(Bound), Is.True);
        _store.Sync();
        Assert.That(_calls.ThreadOf(1), Is.Not.EqualTo(onPool.Result));
    }

    [Test]
    public void A_write_in_a_read_that_is_not_a_publish_leaves_the_commit_to_a_worker()
    {
        // An ack or a pull request read from a client writes the store too; its reader does not wait for the disk.
        var batch = ClientBatch();
        var id = 0;
        var reader = new Thread(() =>
        {
            id = Environment.CurrentManagedThreadId;
            batch.Begin();
            try
            {
                _store.Put("s", "not a publish");
            }
            finally
            {
                batch.End();
            }
        })
        { IsBackground = true };
        reader.Start();
        Assert.That(reader.Join(Bound), Is.True);
        _store.Sync();
        Assert.That(_calls.ThreadOf(1), Is.Not.EqualTo(id));
    }

    [Test]
    public void A_reader_commit_survives_a_reopen()
    {
        ReadOn(ClientBatch(), 1);
        Assert.That(_store.DurableSeq, Is.EqualTo(1UL));
        _store.Dispose();
        var again = _fx.OpenFile();
        Assert.That(again.Seqs(), Is.EqualTo(new ulong[] { 1 }));
        Assert.That(again.Lost, Is.Empty);
    }

    /// <summary>Which thread told the listener that each sequence was durable.</summary>
    private sealed class DurableCalls : IStoreListener
    {
        private readonly ConcurrentDictionary<ulong, int> _threads = new();
        private ulong _last;

        public void MessagesDurable(ulong lastSeq)
        {
            var thread = Environment.CurrentManagedThreadId;
            for (var seq = Interlocked.Exchange(ref _last, lastSeq) + 1; seq <= lastSeq; seq++)
            {
                _threads[seq] = thread;
            }
        }

        public void WriteFailed(ulong lastDurableSeq, Exception error)
        {
        }

        public int ThreadOf(ulong seq)
        {
            Assert.That(_threads.TryGetValue(seq, out var thread), Is.True, $"message {seq} never durable");
            return thread;
        }
    }
}
