using System.Buffers;
using System.Diagnostics;

namespace Nats.Core.Connections;

public abstract partial class NatsConnection
{
    private const int MinReadBuffer = 512;

    // Four times nats-server's 64 KB: a publisher of 1 KB messages fills every read, and each
    // read costs a system call, the runtime's receive path and a TCP acknowledgement sent from
    // it (which on loopback runs the sender's transmit in this thread) whatever its size. At
    // 256 KB the server reads 7-12 times per 1,000 messages of 1 KB instead of 17-31, for 8-20%
    // less CPU per message (docs/benchmarks.md, "Reading 256 KB at a time"). Only a connection
    // whose reads keep filling the buffer grows it this far; an idle one holds none.
    private const int MaxReadBuffer = 256 * 1024;

    // Short reads (under half the buffer: what would fit the halved one) since the last read
    // that filled it, before the next buffer is halved: nats-server's shortsToShrink and its
    // srs count. A publisher this server keeps up with drains its socket often; halving at
    // every read that merely fell short of 64 KB (37-60 KB, publishing 1 KB) made a third to a
    // half of the reads exactly 32 KB, more reads and wake-ups than nats-server's for the same
    // bytes (docs/benchmarks.md, "Publishing 1 KB").
    private const int ShortReadsToShrink = 3;

    // Reads in a row that complete without waiting, and how long they must have held the
    // thread, before the loop hands it back (ShouldStepAside). 4 full reads are 1 MB, as 16 of
    // 64 KB were before reads grew to 256 KB: 16 of those (4 MB) would keep the other
    // connections of its socket engine waiting 6-10 ms behind a publisher of small messages
    // (this server parses 0.44-0.72 GB/s of 16-128 B PUBs here), past the 5 ms slice meant to
    // bound that. Every hand-back off a socket engine's thread costs a
    // pool worker's wake-up and spinning, and the engine thread, back in epoll_wait, wakes for
    // each packet that arrives meanwhile: at 16 reads a 1 KB publisher cost 4-7 wake-ups and
    // 2-6 sched_yield calls per 1,000 messages against 1.5 and 0.6 without hand-backs
    // (docs/benchmarks.md, "Publishing 1 KB: the read loop's hand-backs").
    private const int MaxSynchronousReads = 4;
    private static readonly long MinReadSliceTicks = Stopwatch.Frequency * 5 / 1000;

    /// <summary>Messages received from the peer.</summary>
    public long InMessages => Interlocked.Read(ref _inMessages);

    /// <summary>Payload bytes received from the peer.</summary>
    public long InBytes => Interlocked.Read(ref _inBytes);

    /// <summary>When the peer last sent anything (Stopwatch ticks).</summary>
    internal long LastActivityTimestamp => Volatile.Read(ref _lastActivityTimestamp);

    /// <summary>When the peer last sent anything.</summary>
    public DateTime LastActivity => DateTime.UtcNow - Stopwatch.GetElapsedTime(LastActivityTimestamp);

    /// <summary>True while an asynchronous operation holds up parsing.</summary>
    private protected bool HasPendingOperation => _hasPending;

    /// <summary>
    /// Parses and executes every complete operation in <paramref name="data"/>. Stops early
    /// after an operation that called <see cref="WaitBeforeNextOperation"/>.
    /// </summary>
    /// <param name="data">Unconsumed bytes.</param>
    /// <param name="needed">Full size of a partially received operation, when known.</param>
    /// <returns>Bytes consumed.</returns>
    private protected abstract int ProcessBuffer(Span<byte> data, out int needed);

    // A peer with no sign of reading (its TCP stack never acknowledged 256 KB) whose receive
    // window has been shut this long (without acknowledgements: whose write, one 64 KB chunk
    // while a producer waits, has not completed) is stuck, not slow: producers stop waiting
    // for it (it will be cut off at max_pending) instead of stalling everyone, as nats-server
    // stalls a producer only milliseconds. Every millisecond here is a millisecond each stuck
    // subscriber costs its subject's publisher.
    private static readonly TimeSpan StuckWrite = TimeSpan.FromMilliseconds(10);

    // The same for a peer that reads (or took something since it fell behind) while writes to
    // other peers of the same producer complete: a live reader whose process may merely be
    // descheduled is given far longer before it risks being cut. When no other peer of the
    // producer progresses, a reader is not given up at all (OutboundBuffer.WaitWhileBehindAsync).
    private static readonly TimeSpan StalledWrite = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Whether this connection's reads wait for consumers it pushed past 75% of their
    /// max_pending (clients do, as nats-server stalls fast producers; links do not).
    /// </summary>
    private protected virtual bool WaitsForSlowConsumers => false;

    /// <summary>Makes the read loop wait for <paramref name="operation"/> before parsing on.</summary>
    private protected void WaitBeforeNextOperation(ValueTask operation)
    {
        _pending = operation;
        _hasPending = true;
    }

    /// <summary>Takes the operation an executed command left to complete (<see cref="WaitBeforeNextOperation"/>), or a completed one.</summary>
    private protected ValueTask TakePendingOperation()
    {
        if (!_hasPending)
        {
            return ValueTask.CompletedTask;
        }
        var pending = _pending;
        _hasPending = false;
        _pending = default;
        return pending;
    }

    /// <summary>Adds to the inbound counters (once per read batch, or per message a plugin publishes for its client).</summary>
    private protected void CountInbound(long messages, long bytes)
    {
        // Atomic: a plugin speaking for a client (MQTT) publishes beside the read loop.
        Interlocked.Add(ref _inMessages, messages);
        Interlocked.Add(ref _inBytes, bytes);
    }

    /// <summary>
    /// Back-pressure: before reading more, let consumers this batch filled past 75% of
    /// max_pending drain to half. Not reading is what slows the producing client down (TCP
    /// flow control), so a slow but live subscriber loses nothing; a stuck one stops
    /// holding the producer back after <see cref="StuckWrite"/>.
    /// </summary>
    private protected async ValueTask WaitForSlowConsumersAsync(FlushBatch batch)
    {
        var pressured = batch.TakePressured();
        try
        {
            foreach (var buffer in pressured)
            {
                if (WaitsForSlowConsumers && !ReferenceEquals(buffer, Out))
                {
                    await buffer.WaitWhileBehindAsync(StuckWrite, StalledWrite, batch.Fed, Server.ShutdownToken).ConfigureAwait(false);
                }
                else
                {
                    buffer.ClearPressure();
                }
            }
        }
        finally
        {
            pressured.Clear();
            batch.Fed.Clear();
        }
    }

    /// <summary>
    /// Whether a read loop whose reads keep completing at once (a peer that publishes
    /// non-stop) hands its thread back before reading on.
    /// </summary>
    /// <remarks>
    /// On a socket engine's thread always: other connections' reads complete there (inline
    /// socket completions). On a pool thread only when work waits for the pool: the writer
    /// tasks of the subscribers this peer feeds (the pool adds threads slowly, and on a small
    /// machine healthy subscribers would be cut as slow consumers). Otherwise a step aside
    /// wakes an idle worker that takes the loop over while this one spins looking for work:
    /// 4-15 sched_yield calls per 1,000 messages publishing 1 KB (docs/benchmarks.md).
    /// </remarks>
    private static bool ShouldStepAside() =>
        !Thread.CurrentThread.IsThreadPoolThread || ThreadPool.PendingWorkItemCount > 0;

    /// <summary>
    /// Reads until the peer goes away. Unconsumed bytes (an operation split across reads)
    /// stay at the front of the buffer and the next read appends to them. While idle the
    /// loop waits with a zero-byte read and holds no buffer at all.
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var size = MinReadBuffer * 8;
        var shortReads = 0;
        byte[]? buffer = null;
        var filled = 0;
        var synchronousReads = 0;
        long sliceStart = 0, lastRead = 0;
        try
        {
            while (!IsClosed)
            {
                // A read that follows a wait for data completes at once, but it does not follow
                // other reads: a peer that sends one message per answer (a synchronous publish,
                // a request) must not count up to a hand-back of the thread.
                var waited = false;
                if (buffer is null)
                {
                    var idle = Stream.ReadAsync(Memory<byte>.Empty);
                    waited = !idle.IsCompleted;
                    await idle.ConfigureAwait(false);
                    if (IsClosed)
                    {
                        return;
                    }
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }

                var pending = Stream.ReadAsync(buffer.AsMemory(filled));
                if (!pending.IsCompleted || waited)
                {
                    synchronousReads = 0;
                }
                else if (++synchronousReads >= MaxSynchronousReads
                    && lastRead - sliceStart >= MinReadSliceTicks)
                {
                    synchronousReads = 0;
                    if (ShouldStepAside())
                    {
                        await Task.Yield();
                    }
                }
                var read = await pending.ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }
                var wasFull = filled + read == buffer.Length;
                if (wasFull)
                {
                    shortReads = 0;
                }
                filled += read;
                lastRead = Stopwatch.GetTimestamp();
                Volatile.Write(ref _lastActivityTimestamp, lastRead);
                if (synchronousReads == 0)
                {
                    sliceStart = lastRead;
                }

                var consumed = 0;
                int needed;
                while (true)
                {
                    consumed += ProcessBuffer(buffer.AsSpan(consumed, filled - consumed), out needed);
                    if (!_hasPending)
                    {
                        break;
                    }
                    _hasPending = false;
                    await _pending.ConfigureAwait(false);
                    _pending = default;
                    if (IsClosed)
                    {
                        return;
                    }
                }
                if (IsClosed)
                {
                    return;
                }
                if (Batch.HasPressure)
                {
                    await WaitForSlowConsumersAsync(Batch).ConfigureAwait(false);
                }

                var remaining = filled - consumed;
                if (remaining == 0)
                {
                    filled = 0;
                    // Adapt: grow while reads fill the buffer, shrink after a few short ones,
                    // and let go of the buffer entirely when the peer pauses.
                    if (wasFull)
                    {
                        size = Math.Min(size * 2, MaxReadBuffer);
                    }
                    else if (read < buffer.Length / 2 && ++shortReads >= ShortReadsToShrink)
                    {
                        size = Math.Max(size / 2, MinReadBuffer);
                        shortReads = 0;
                    }
                    if (!wasFull)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = null;
                    }
                    continue;
                }

                var required = Math.Max(needed, remaining + MinReadBuffer);
                if (required > buffer.Length || (wasFull && buffer.Length < MaxReadBuffer))
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Max(required, Math.Min(buffer.Length * 2, MaxReadBuffer)));
                    buffer.AsSpan(consumed, remaining).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                else if (consumed > 0)
                {
                    buffer.AsSpan(consumed, remaining).CopyTo(buffer);
                }
                filled = remaining;
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
