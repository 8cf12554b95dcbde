using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>
/// Block files allocated ahead of their data (so a commit's fdatasync does not change the file
/// size): the zeros past the data are not data, a record cut in the middle of a preallocated
/// file is a torn tail, sealed and cleanly closed blocks hold exactly their data. A "crash" is
/// a copy of the store's files taken while it is open, after the commits acknowledged: what the
/// disk holds then, zero tail included.
/// </summary>
[CancelAfter(30_000)]
public sealed class FileStorePreallocationTests
{
    private StoreFixture _fx = null!;
    private StoreFixture _copy = null!;

    [SetUp]
    public void SetUp()
    {
        _fx = new StoreFixture(StorageType.File) { BlockSize = 1 << 20 };
        _copy = new StoreFixture(StorageType.File) { BlockSize = 1 << 20 };
    }

    [TearDown]
    public void TearDown()
    {
        _copy.Dispose();
        _fx.Dispose();
    }

    private static List<string> BlockFiles(StoreFixture fx) => Directory.GetFiles(Path.Combine(fx.Directory, "msgs"), "*.blk").Order().ToList();

    private static void Fill(MessageStore store, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            Assert.That(store.Put($"s.{i % 4}", $"{i}:" + new string('d', 100)), Is.EqualTo((ulong)i));
        }
        store.Sync();
    }

    /// <summary>Copies the open store's files: what a crash right now would leave.</summary>
    private void CrashCopy()
    {
        var from = Path.Combine(_fx.Directory, "msgs");
        var to = Path.Combine(_copy.Directory, "msgs");
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static bool EndsInZeros(string path, int bytes)
    {
        var data = File.ReadAllBytes(path);
        return data.Length >= bytes && data.AsSpan(data.Length - bytes).IndexOfAnyExcept((byte)0) < 0;
    }

    [Test]
    public void The_active_block_is_allocated_ahead_and_a_clean_close_cuts_it_back()
    {
        var store = _fx.OpenFile();
        Fill(store, 1, 50);
        var active = BlockFiles(_fx).Last();
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("fallocate is Linux only: elsewhere blocks grow with each append");
        }
        Assert.That(new FileInfo(active).Length, Is.EqualTo(64 * 1024), "one 64 KB step ahead of ~6 KB of data");
        Assert.That(EndsInZeros(active, 1024), Is.True);
        store.Dispose();
        Assert.That(EndsInZeros(active, 8), Is.False, "the file ends with the last record's checksum");
        var again = _fx.OpenFile();
        Assert.That(again.LastRecovery.Truncated, Is.Empty);
        Assert.That(again.Lost, Is.Empty);
        Assert.That(again.Seqs(), Is.EqualTo(Enumerable.Range(1, 50).Select(i => (ulong)i)));
    }

    [Test]
    public void Every_acknowledged_message_survives_a_crash_with_a_zero_tail()
    {
        var store = _fx.OpenFile(blockSize: 4096);
        Fill(store, 1, 200);
        CrashCopy();
        var again = _copy.OpenFile(blockSize: 4096);
        Assert.That(again.Lost, Is.Empty);
        Assert.That(again.LastRecovery.Truncated, Is.Empty, "zeros allocated ahead are not a torn write");
        Assert.That(again.Seqs(), Is.EqualTo(Enumerable.Range(1, 200).Select(i => (ulong)i)));
        Assert.That(again.Get(200)!.Text(), Does.StartWith("200:"));
        Assert.That(again.Put("s.0"), Is.EqualTo(201UL));
        again.Sync();
        Assert.That(again.State().Msgs, Is.EqualTo(201UL));
    }

    [Test]
    public void Sealed_blocks_hold_exactly_their_records()
    {
        var store = _fx.OpenFile(blockSize: 4096);
        Fill(store, 1, 300);
        var files = BlockFiles(_fx);
        Assert.That(files, Has.Count.GreaterThan(3));
        // Every block but the active one is sealed and durable: cut back to its data.
        foreach (var sealedBlock in files.SkipLast(1))
        {
            Assert.That(EndsInZeros(sealedBlock, 8), Is.False, sealedBlock);
            Assert.That(new FileInfo(sealedBlock).Length, Is.LessThan(4096 + 200));
        }
    }

    [Test]
    public void A_record_cut_in_the_middle_of_a_preallocated_block_is_a_torn_tail()
    {
        var store = _fx.OpenFile();
        Fill(store, 1, 30);
        CrashCopy();
        var last = BlockFiles(_copy).Last();
        var data = File.ReadAllBytes(last);
        var end = data.AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
        if (end == data.Length)
        {
            Assert.Ignore("no zero tail here (no fallocate): covered by the recovery tests");
        }
        // The last record's second half never reached the disk: zeros where it was.
        data.AsSpan(end - 60, 60).Clear();
        File.WriteAllBytes(last, data);
        var again = _copy.OpenFile();
        Assert.That(again.Lost, Is.Empty);
        Assert.That(again.LastRecovery.Truncated, Has.Count.EqualTo(1));
        Assert.That(again.LastRecovery.Truncated[0], Does.Contain("seq 30"));
        Assert.That(again.State().LastSeq, Is.EqualTo(29UL));
        Assert.That(again.Put("s.1"), Is.EqualTo(30UL));
        again.Sync();
        Assert.That(again.Get(30)!.Subject, Is.EqualTo("s.1"));
    }

    [Test]
    public void A_new_block_allocated_but_never_written_is_removed_and_the_one_before_stays_last()
    {
        var store = _fx.OpenFile(blockSize: 4096);
        Fill(store, 1, 100);
        CrashCopy();
        var files = BlockFiles(_copy);
        var last = files.Last();
        var data = File.ReadAllBytes(last);
        var end = data.AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
        // The newest block's last record is cut (a torn tail in what is now the last written
        // block), and a next block exists allocated ahead with nothing written.
        File.WriteAllBytes(last, data.AsSpan(0, end - 20).ToArray());
        var next = ulong.Parse(Path.GetFileNameWithoutExtension(last)) + 1;
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(last)!, $"{next:D10}.blk"), new byte[64 * 1024]);
        var again = _copy.OpenFile(blockSize: 4096);
        Assert.That(again.Lost, Is.Empty, "a torn tail before an unwritten block is not lost data");
        Assert.That(again.LastRecovery.Truncated, Has.Some.Contains("empty block removed"));
        Assert.That(again.LastRecovery.Truncated, Has.Some.Contains("seq 100"));
        Assert.That(again.State().LastSeq, Is.EqualTo(99UL));
        Assert.That(again.Seqs(), Is.EqualTo(Enumerable.Range(1, 99).Select(i => (ulong)i)));
    }

    [Test]
    public void Purges_and_removals_after_a_crash_with_zero_tails_stay_right()
    {
        var store = _fx.OpenFile(blockSize: 4096);
        Fill(store, 1, 120);
        store.PurgeTo(40);
        Assert.That(store.Remove(77), Is.True);
        store.Sync();
        var before = store.State();
        CrashCopy();
        var again = _copy.OpenFile(blockSize: 4096);
        var after = again.State();
        Assert.That(again.Lost, Is.Empty);
        Assert.That((after.Msgs, after.FirstSeq, after.LastSeq, after.Bytes), Is.EqualTo((before.Msgs, before.FirstSeq, before.LastSeq, before.Bytes)));
        Assert.That(again.Get(77), Is.Null);
        Assert.That(again.Get(39), Is.Null);
        Assert.That(again.Get(40)!.Text(), Does.StartWith("40:"));
    }
}
