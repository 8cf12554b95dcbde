using Microsoft.Extensions.Logging.Abstractions;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

[CancelAfter(20_000)]
public sealed class ConsumerStateStoreTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Path.Combine(Path.GetTempPath(), "js-obs-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private static ConsumerState Sample()
    {
        var state = new ConsumerState { AckFloorConsumer = 10, AckFloorStream = 100, DeliveredConsumer = 20, DeliveredStream = 130 };
        state.Pending[105] = new PendingDelivery(12, 1_700_000_000_123_456_789);
        state.Pending[129] = new PendingDelivery(19, 1_700_000_001_000_000_000);
        state.Redelivered[105] = 3;
        return state;
    }

    [Test]
    public async Task State_survives_a_restart()
    {
        using (var store = new FileConsumerStateStore(_dir, NullLogger.Instance, TimeSpan.FromSeconds(30)))
        {
            Assert.That(store.Initial, Is.Null);
            store.Update(Sample());
            await store.FlushAsync();
        }
        using var again = new FileConsumerStateStore(_dir, NullLogger.Instance, TimeSpan.FromSeconds(30));
        var s = again.Initial!;
        Assert.That((s.AckFloorConsumer, s.AckFloorStream, s.DeliveredConsumer, s.DeliveredStream), Is.EqualTo((10UL, 100UL, 20UL, 130UL)));
        Assert.That(s.Pending, Is.EquivalentTo(Sample().Pending));
        Assert.That(s.Redelivered, Is.EquivalentTo(Sample().Redelivered));
    }

    [Test]
    public void The_background_write_persists_without_a_flush()
    {
        using (var store = new FileConsumerStateStore(_dir, NullLogger.Instance, TimeSpan.FromMilliseconds(50)))
        {
            store.Update(Sample());
            Assert.That(SpinWait.SpinUntil(() => File.Exists(Path.Combine(_dir, "state.dat")), 5000), Is.True);
        }
        using var again = new FileConsumerStateStore(_dir, NullLogger.Instance, TimeSpan.FromSeconds(30));
        Assert.That(again.Initial!.DeliveredStream, Is.EqualTo(130UL));
    }

    [Test]
    public async Task A_damaged_state_file_is_reported_and_set_aside()
    {
        using (var store = new FileConsumerStateStore(_dir, NullLogger.Instance, TimeSpan.FromSeconds(30)))
        {
            store.Update(Sample());
            await store.FlushAsync();
        }
        var path = Path.Combine(_dir, "state.dat");
        var bytes = File.ReadAllBytes(path);
        bytes[7] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var log = new CapturingLogger();
        using var again = new FileConsumerStateStore(_dir, log, TimeSpan.FromSeconds(30));
        Assert.That(again.Initial, Is.Null);
        Assert.That(log.Entries.Any(e => e.Text.Contains("damaged")), Is.True);
        Assert.That(File.Exists(path + ".corrupt"), Is.True);
    }
}
