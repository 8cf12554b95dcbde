using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>
/// The state stream info reports (<see cref="MessageStore.VisibleState"/>) counts only durable
/// messages, which readers can load, while appends wait for their group commit.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class VisibleStateTests
{
    [Test]
    public void Visible_state_counts_only_what_readers_can_read_while_appends_are_in_flight()
    {
        using var fixture = new StoreFixture(StorageType.File);
        var store = fixture.Open();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int appendErrors = 0, inFlightSeen = 0;
        // Each writer appends 20,000 messages, and goes on until the checker has met appends in
        // flight a few times (the window is short; the deadline bounds it).
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; (i < 20_000 || Volatile.Read(ref inFlightSeen) < 3) && !stop.IsCancellationRequested; i++)
            {
                if (store.TryPut($"s.{w}", "0123456789") != StoreError.None)
                {
                    Interlocked.Increment(ref appendErrors);
                }
            }
        })).ToArray();
        var size = store.AccountedSize(3, 0, 10);
        var message = new StoredMessage();
        var checks = 0;
        var violations = new List<string>();
        while (!writers.All(t => t.IsCompleted) && violations.Count < 5)
        {
            var engine = store.State();
            var visible = store.VisibleState();
            checks++;
            if (engine.LastSeq > visible.LastSeq)
            {
                Interlocked.Increment(ref inFlightSeen);
            }
            // Nothing is removed here: the durable messages are exactly 1..LastSeq.
            if (visible.Msgs != visible.LastSeq || visible.Bytes != visible.Msgs * size || visible.NumSubjects > 4)
            {
                violations.Add($"msgs {visible.Msgs} bytes {visible.Bytes} last {visible.LastSeq} subjects {visible.NumSubjects}");
            }
            if (visible.LastSeq > 0 && !store.TryLoad(visible.LastSeq, message))
            {
                violations.Add($"last sequence {visible.LastSeq} counted but not readable");
            }
        }
        Task.WaitAll(writers);
        store.Sync();
        TestContext.Out.WriteLine($"{checks} checks, {inFlightSeen} with appends in flight");
        Assert.That(violations, Is.Empty);
        Assert.That(appendErrors, Is.Zero);
        Assert.That(inFlightSeen, Is.GreaterThan(0), "the test saw appends not yet durable (else it proves nothing)");
        var final = store.VisibleState();
        Assert.That(final.Msgs, Is.EqualTo(store.State().Msgs), "once durable, both views agree");
        Assert.That(final.NumSubjects, Is.EqualTo(4));
    }

    [Test]
    public void Once_durable_the_visible_state_is_the_state_with_its_limits()
    {
        using var fixture = new StoreFixture(StorageType.File);
        var store = fixture.Open(StoreLimits.None with { MaxMsgs = 3 });
        for (var i = 0; i < 5; i++)
        {
            store.Put("a");
        }
        store.Sync();
        var visible = store.VisibleState();
        Assert.That((visible.Msgs, visible.FirstSeq, visible.LastSeq, visible.NumSubjects, visible.NumDeleted), Is.EqualTo((3UL, 3UL, 5UL, 1, 0UL)));
    }
}
