using System.Diagnostics;
using Nats.Core.Connections;

namespace Nats.JetStream.Storage;

/// <summary>
/// A lone synchronous publisher's commit runs on its own reader, at the end of the read that
/// brought the publish, instead of on a sync worker.
/// </summary>
/// <remarks>
/// Handing each commit to a worker cost a wake-up of that thread per publish (an eventfd write
/// by the reader, a sleep and wake-up of the worker), and in this VM a wake-up is most of the
/// server's CPU that is not the disk: js-sync-128 on disk 144 against 93 us of server CPU per
/// message, 3.2k against 4.5k msgs/s (docs/benchmarks.md, "The reader commits"). nats-server
/// stores on the reader too. The reader waits for the disk meanwhile, so this is only for a
/// store written by one connection alone: a record that the read appended to an idle store,
/// the only one in that read, published by a client's read loop on a socket thread (not the
/// pool's: a blocked pool thread starves others). A second record in the same read (a stream of
/// publishes), a record from another writer while this one commits, or any other writer of
/// the store within <see cref="SharedWindowMs"/> sends the commits to the worker as before, so
/// group commit across publishers and the overlap of commits with reads stay theirs. Records
/// that arrive while the reader commits go to the worker after its one round. Measured with 1,
/// 2, 4 and 16 connections publishing synchronously to one stream: from 2 on, the same rate
/// as with every commit on the worker. The cost: other connections whose reads complete on the
/// same socket thread wait for that commit (one disk write and flush) before they are read; a
/// commit slower than <see cref="SlowCommitMs"/> sends the next ones to the worker for a while,
/// so a stalling disk holds them up once per window, not once per publish.
/// </remarks>
public sealed partial class FileStore
{
    /// <summary>How long after a write by another writer this store's commits stay on the worker (tests lengthen it).</summary>
    internal long SharedWindowMs { get; set; } = 100;

    /// <summary>
    /// A commit on a reader that took this long (a busy or slow disk: here 80-700 us is usual)
    /// sends the commits back to the worker for <see cref="SharedWindowMs"/> (tests shorten it).
    /// </summary>
    internal double SlowCommitMs { get; set; } = 2;

    /// <summary>Set by the capture subscription while a client's read loop stores what it read.</summary>
    [ThreadStatic] private static bool t_readerPublishing;

    /// <summary>The thread whose read will commit the pending record at its end, or 0 (Gate).</summary>
    private int _inlineThread;

    /// <summary>The last writer (its read batch), when, and until when the store counts as shared (Gate).</summary>
    private FlushBatch? _lastWriter;
    private long _lastWriteAt;
    private long _sharedUntil;

    /// <summary>The store's entry in a read's flush batch: its end runs <see cref="CommitAtReadEnd"/>.</summary>
    private readonly InlineCommit _inlineCommit;

    /// <summary>
    /// Whether the current thread is a client's read loop storing a publish it read (the
    /// capture subscription sets it around <c>JsStream.ProcessMessage</c>).
    /// </summary>
    internal static bool ReaderPublishing
    {
        get => t_readerPublishing;
        set => t_readerPublishing = value;
    }

    /// <summary>
    /// Counts the writer of a record: a read batch (one connection's read) other than the last
    /// writer's within <see cref="SharedWindowMs"/> makes the store shared for that long. Writes
    /// outside any read (the store's own maintenance, the API worker) do not count.
    /// </summary>
    private void NoteWriterLocked(FlushBatch? batch)
    {
        if (batch is null)
        {
            return;
        }
        var now = Environment.TickCount64;
        if (!ReferenceEquals(batch, _lastWriter) && now - _lastWriteAt < SharedWindowMs)
        {
            _sharedUntil = now + SharedWindowMs;
        }
        _lastWriter = batch;
        _lastWriteAt = now;
    }

    private bool InlineCandidateLocked(FlushBatch? batch) =>
        t_readerPublishing
        && batch is { FlushesInPlace: true }
        && !Thread.CurrentThread.IsThreadPoolThread
        && Environment.TickCount64 >= _sharedUntil;

    /// <summary>
    /// The end of the read that appended the pending record: commit it here, unless a worker
    /// took it over meanwhile.
    /// </summary>
    private void CommitAtReadEnd()
    {
        lock (Gate)
        {
            var mine = _inlineThread == Environment.CurrentManagedThreadId;
            if (mine)
            {
                _inlineThread = 0;
            }
            if (!mine || _syncScheduled || Closed || !HasPendingLocked())
            {
                return;
            }
            _syncScheduled = true;
        }
        var start = Stopwatch.GetTimestamp();
        RunRounds(inline: true);
        if (Stopwatch.GetElapsedTime(start).TotalMilliseconds >= SlowCommitMs)
        {
            // A disk this slow holds up every connection on this socket thread: the commits go
            // back to the worker for a while, as when the store is shared.
            lock (Gate)
            {
                _sharedUntil = Math.Max(_sharedUntil, Environment.TickCount64 + SharedWindowMs);
            }
        }
    }

    private sealed class InlineCommit(FileStore store) : IFlushable
    {
        public void Flush() => store.CommitAtReadEnd();
    }
}
