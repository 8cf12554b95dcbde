namespace Nats.TestSupport;

/// <summary>
/// Checks that a message path allocates nothing per message when it writes to a real socket:
/// measured in rounds (a batch of messages, flushed once) on the calling thread. A per-message
/// allocation (24 bytes at least) shows in every round; what the output path allocates now and
/// then shows in a few only: a buffer chunk while the writer still holds the pool's copy, a
/// state machine the first time a write does not complete at once, which a loaded machine
/// (the peer's reader descheduled, the socket full) makes more frequent, not per message.
/// A total over all rounds is what such a rare allocation broke.
/// </summary>
public static class AllocationRounds
{
    /// <summary>
    /// Runs <paramref name="round"/> <paramref name="rounds"/> times, measuring what each
    /// allocates on this thread, with <paramref name="between"/> (the writer draining, unmeasured)
    /// after each; fails when more than a tenth of the rounds allocated anything.
    /// </summary>
    public static async Task AssertMostAllocateNothingAsync(int rounds, Action round, Func<Task> between)
    {
        var allocating = new List<(int Round, long Bytes)>();
        for (var i = 0; i < rounds; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            round();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > 0)
            {
                allocating.Add((i, allocated));
            }
            await between();
        }
        Assert.That(allocating, Has.Count.LessThanOrEqualTo(rounds / 10),
            $"rounds that allocated: {string.Join(", ", allocating.Select(r => $"#{r.Round} {r.Bytes} B"))}");
    }
}
