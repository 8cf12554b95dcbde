using Microsoft.Extensions.Logging;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>Restarts, the index, and damaged files: detected, reported, never served.</summary>
[CancelAfter(30_000)]
public sealed class FileStoreRecoveryTests
{
    private StoreFixture _fx = null!;

    [SetUp]
    public void SetUp() => _fx = new StoreFixture(StorageType.File) { BlockSize = 4096 };

    [TearDown]
    public void TearDown() => _fx.Dispose();

    private string MsgDir => Path.Combine(_fx.Directory, "msgs");

    private List<string> BlockFiles() => Directory.GetFiles(MsgDir, "*.blk").Order().ToList();

    private static void Fill(MessageStore store, int count, int size = 100)
    {
        for (var i = 1; i <= count; i++)
        {
            store.Put($"s.{i % 4}", $"{i}:" + new string('d', size));
        }
        store.Sync();
    }

    [Test]
    public void A_clean_restart_uses_the_index_and_keeps_everything()
    {
        var store = _fx.OpenFile(new StoreLimits { MaxMsgsPerSubject = 100 });
        Fill(store, 1000);
        store.Remove(500);
        store.Remove(1);
        store.PurgeEx("s.3", 0, 10);
        var before = store.State();
        var subjects = store.SubjectsTotals(SubjectFilter.All);
        store.Dispose();
        Assert.That(File.Exists(Path.Combine(MsgDir, "index.db")), Is.True);

        var again = _fx.OpenFile(new StoreLimits { MaxMsgsPerSubject = 100 });
        Assert.That(again.LastRecovery.UsedIndex, Is.True);
        Assert.That(again.State(), Is.EqualTo(before));
        Assert.That(again.SubjectsTotals(SubjectFilter.All), Is.EquivalentTo(subjects));
        Assert.That(again.Get(500), Is.Null);
        Assert.That(again.Get(999)!.Text(), Does.StartWith("999:"));
        Assert.That(again.Put("s.0"), Is.EqualTo(1001UL));
    }

    [Test]
    public void Without_the_index_the_state_is_rebuilt_from_the_blocks()
    {
        var store = _fx.OpenFile();
        Fill(store, 1000);
        store.Remove(10);
        store.Remove(2);
        store.Remove(1);
        var before = store.State();
        var deleted = store.DeletedSequences();
        store.Dispose();
        File.Delete(Path.Combine(MsgDir, "index.db"));

        var again = _fx.OpenFile();
        Assert.That(again.LastRecovery.UsedIndex, Is.False);
        Assert.That(again.State(), Is.EqualTo(before));
        Assert.That(again.DeletedSequences(), Is.EqualTo(deleted));
        Assert.That(again.Lost, Is.Empty);
    }

    [Test]
    public void A_damaged_index_is_ignored()
    {
        var store = _fx.OpenFile();
        Fill(store, 200);
        var before = store.State();
        store.Dispose();
        var index = Path.Combine(MsgDir, "index.db");
        var bytes = File.ReadAllBytes(index);
        bytes[20] ^= 0xFF;
        File.WriteAllBytes(index, bytes);
        var again = _fx.OpenFile();
        Assert.That(again.LastRecovery.UsedIndex, Is.False);
        Assert.That(again.State(), Is.EqualTo(before));
    }

    [Test]
    public void A_stale_index_is_not_used()
    {
        var store = _fx.OpenFile();
        Fill(store, 200);
        store.Dispose();
        var index = Path.Combine(MsgDir, "index.db");
        var saved = File.ReadAllBytes(index);
        var again = _fx.OpenFile();
        again.Put("s.1");
        again.Remove(5);
        var before = again.State();
        again.Dispose();
        // An index from an older shutdown must not describe the newer blocks.
        File.WriteAllBytes(index, saved);
        var third = _fx.OpenFile();
        Assert.That(third.LastRecovery.UsedIndex, Is.False);
        Assert.That(third.State(), Is.EqualTo(before));
    }

    [Test]
    public void Purged_and_emptied_stores_keep_their_last_sequence_across_restarts()
    {
        var store = _fx.OpenFile();
        Fill(store, 300);
        store.Purge();
        store.Sync();
        store.Dispose();
        File.Delete(Path.Combine(MsgDir, "index.db"));
        var again = _fx.OpenFile();
        Assert.That(again.State().LastSeq, Is.EqualTo(300UL));
        Assert.That(again.State().FirstSeq, Is.EqualTo(301UL));
        Assert.That(again.Put("x"), Is.EqualTo(301UL));
        again.Remove(301);
        again.Sync();
        again.Dispose();
        File.Delete(Path.Combine(MsgDir, "index.db"));
        var third = _fx.OpenFile();
        Assert.That(third.State().Msgs, Is.EqualTo(0UL));
        Assert.That(third.Put("x"), Is.EqualTo(302UL));
    }

    [Test]
    public void Removals_in_any_order_survive_restarts_with_compaction()
    {
        var store = _fx.OpenFile();
        Fill(store, 2000);
        var rng = new Random(7);
        var removed = new HashSet<ulong>();
        foreach (var seq in Enumerable.Range(1, 2000).OrderBy(_ => rng.Next()).Take(1500))
        {
            store.Remove((ulong)seq);
            removed.Add((ulong)seq);
        }
        store.Sync();
        var expected = Enumerable.Range(1, 2000).Select(i => (ulong)i).Where(s => !removed.Contains(s)).ToList();
        Assert.That(store.Seqs(), Is.EqualTo(expected));
        store.Dispose();
        File.Delete(Path.Combine(MsgDir, "index.db"));
        var again = _fx.OpenFile();
        Assert.That(again.Seqs(), Is.EqualTo(expected));
        Assert.That(again.Lost, Is.Empty);
    }

    [Test]
    public void A_flipped_byte_in_a_sealed_block_is_reported_and_not_served()
    {
        var store = _fx.OpenFile();
        Fill(store, 500);
        store.Dispose();
        var blocks = BlockFiles();
        var victim = blocks[2];
        var bytes = File.ReadAllBytes(victim);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(victim, bytes);

        var again = _fx.OpenFile();
        Assert.That(again.Lost, Has.Count.EqualTo(1));
        var lost = again.Lost[0];
        Assert.That(lost.Block, Is.EqualTo(victim));
        Assert.That(lost.FirstSeq, Is.GreaterThan(0UL));
        Assert.That(lost.LastSeq, Is.GreaterThanOrEqualTo(lost.FirstSeq));
        Assert.That(_fx.Log.At(LogLevel.Error).Any(t => t.Contains("lost messages")), Is.True);
        // Everything else is served; the damaged record is not.
        var seqs = again.Seqs();
        for (var s = lost.FirstSeq; s <= lost.LastSeq; s++)
        {
            Assert.That(seqs, Does.Not.Contain(s));
            Assert.That(again.Get(s), Is.Null);
        }
        Assert.That(seqs.Count, Is.EqualTo(500 - (int)(lost.LastSeq - lost.FirstSeq + 1)));
        foreach (var s in seqs)
        {
            Assert.That(again.Get(s)!.Text(), Does.StartWith($"{s}:"));
        }
    }

    [Test]
    public void A_torn_tail_is_truncated_and_logged()
    {
        var store = _fx.OpenFile();
        Fill(store, 30);
        store.Dispose();
        var last = BlockFiles().Last(f => new FileInfo(f).Length > 200);
        var length = new FileInfo(last).Length;
        using (var fs = new FileStream(last, FileMode.Open))
        {
            fs.SetLength(length - 50);
        }
        File.Delete(Path.Combine(MsgDir, "index.db"));
        var again = _fx.OpenFile();
        Assert.That(again.LastRecovery.Truncated, Has.Count.EqualTo(1));
        Assert.That(again.LastRecovery.Truncated[0], Does.Contain("seq 30"));
        Assert.That(_fx.Log.At(LogLevel.Warning).Any(t => t.Contains("torn tail")), Is.True);
        Assert.That(again.Lost, Is.Empty);
        Assert.That(again.State().LastSeq, Is.EqualTo(29UL));
        Assert.That(again.Put("s.1"), Is.EqualTo(30UL));
    }

    [Test]
    public void Zero_filled_tails_are_not_data()
    {
        var store = _fx.OpenFile();
        Fill(store, 5);
        store.Dispose();
        var last = BlockFiles().Last(f => new FileInfo(f).Length > 200);
        using (var fs = new FileStream(last, FileMode.Append))
        {
            fs.Write(new byte[1000]);
        }
        var again = _fx.OpenFile();
        Assert.That(again.State().Msgs, Is.EqualTo(5UL));
        Assert.That(again.Lost, Is.Empty);
    }

    [Test]
    public void A_block_truncated_in_the_middle_of_the_stream_is_reported()
    {
        var store = _fx.OpenFile();
        Fill(store, 300);
        store.Dispose();
        var victim = BlockFiles()[1];
        using (var fs = new FileStream(victim, FileMode.Open))
        {
            fs.SetLength(fs.Length / 2);
        }
        var again = _fx.OpenFile();
        Assert.That(again.Lost, Has.Count.EqualTo(1));
        var lost = again.Lost[0];
        Assert.That(lost.LastSeq, Is.GreaterThanOrEqualTo(lost.FirstSeq));
        Assert.That(again.Seqs().Intersect(Enumerable.Range((int)lost.FirstSeq, (int)(lost.LastSeq - lost.FirstSeq + 1)).Select(i => (ulong)i)), Is.Empty);
        Assert.That(again.State().LastSeq, Is.EqualTo(300UL));
    }

    [Test]
    public void Corruption_after_recovery_is_caught_when_a_block_is_read_again()
    {
        var store = _fx.OpenFile();
        Fill(store, 300);
        store.Dispose();
        var again = (FileStore)_fx.OpenFile();
        // Recovery dropped the caches; damage the file under the running store.
        var victim = BlockFiles()[0];
        var bytes = File.ReadAllBytes(victim);
        bytes[RecordFormatOffsetOfSecondRecord(bytes)] ^= 0x10;
        File.WriteAllBytes(victim, bytes);
        Assert.That(again.Get(2), Is.Null);
        Assert.That(again.Lost, Is.Not.Empty);
    }

    private static int RecordFormatOffsetOfSecondRecord(byte[] block)
    {
        // header (16) + floor record + first message record; flip a byte inside the second message.
        var at = 16;
        for (var i = 0; i < 2; i++)
        {
            at += BitConverter.ToInt32(block, at);
        }
        return at + 40;
    }
}
