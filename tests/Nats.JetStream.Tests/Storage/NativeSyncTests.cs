using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>
/// The commit's durable write (<c>pwritev2</c> with <c>RWF_DSYNC</c>, Linux): the bytes land
/// where asked, a failure is an error and not a silent fallback, and what it cannot do (nothing
/// to write) is left to the caller's write and fdatasync.
/// </summary>
[CancelAfter(30_000)]
public sealed class NativeSyncTests
{
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("RWF_DSYNC is Linux only: elsewhere the store writes and then syncs");
        }
        _path = Path.Combine(Path.GetTempPath(), "js-native-sync-" + Guid.NewGuid().ToString("N"));
    }

    [TearDown]
    public void TearDown()
    {
        if (_path is not null)
        {
            File.Delete(_path);
        }
    }

    [Test]
    public void A_durable_write_puts_its_bytes_at_the_offset_inside_and_past_the_end()
    {
        using (var handle = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            RandomAccess.Write(handle, new byte[100], 0);
            Assert.That(NativeSync.TryWriteDurable(handle, "inside"u8, 10), Is.True);
            Assert.That(NativeSync.TryWriteDurable(handle, "past the end"u8, 98), Is.True);
        }
        var data = File.ReadAllBytes(_path);
        Assert.That(data, Has.Length.EqualTo(110));
        Assert.That(data.AsSpan(10, 6).SequenceEqual("inside"u8), Is.True);
        Assert.That(data.AsSpan(98).SequenceEqual("past the end"u8), Is.True);
        Assert.That(data.AsSpan(0, 10).IndexOfAnyExcept((byte)0), Is.EqualTo(-1), "nothing before the offset changed");
    }

    [Test]
    public void A_failed_write_throws_and_later_writes_are_still_durable()
    {
        File.WriteAllBytes(_path, new byte[16]);
        using (var readOnly = File.OpenHandle(_path, FileMode.Open, FileAccess.Read))
        {
            // EBADF: an error the caller must see (the store then recovers), not "unsupported".
            var error = Assert.Throws<IOException>(() => NativeSync.TryWriteDurable(readOnly, "x"u8, 0));
            // The OS's words reach the publishers the failed commit answers (a full disk says "space").
            Assert.That(error!.Message, Does.Contain("Bad file descriptor"));
        }
        using var handle = File.OpenHandle(_path, FileMode.Open, FileAccess.ReadWrite);
        Assert.That(NativeSync.TryWriteDurable(handle, "y"u8, 0), Is.True, "one failure must not turn durable writes off");
    }

    [Test]
    public void Nothing_to_write_is_left_to_the_caller()
    {
        using var handle = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite);
        Assert.That(NativeSync.TryWriteDurable(handle, default, 0), Is.False);
    }
}
