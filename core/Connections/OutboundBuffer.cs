using System.Buffers;
using System.Diagnostics;

namespace Nats.Core.Connections;

/// <summary>The result of queueing bytes for a peer.</summary>
internal enum AppendResult : byte
{
    Queued,
    Closed,
    SlowConsumer,
}

/// <summary>
/// A connection's outbound side: producers on any thread append complete protocol frames
/// into a chain of pooled chunks; one writer task sends whatever has accumulated, chunk by
/// chunk, while producers keep appending behind it. A client's read loop ending its batch
/// sends to an idle peer itself when the socket takes it at once (OutboundBuffer.Writer.cs).
/// </summary>
/// <remarks>
/// Chunks never move once written, so a burst costs one copy per byte however far the
/// writer falls behind. An append never waits for the peer: when the queued bytes would
/// exceed max_pending it fails with <see cref="AppendResult.SlowConsumer"/> and the owner
/// closes the connection. Past the pressure threshold the producer's read loop may wait for
/// the peer to drain (<see cref="WaitWhileBehindAsync"/>), but not for one that shows no sign
/// of reading, so a stuck reader holds its publisher back only milliseconds. Chunks
/// go back to the pool as soon as they are written, so idle connections hold no output memory.
/// </remarks>
internal sealed partial class OutboundBuffer : IFlushable
{
    // The first chunk of a burst is small (most connections send little); later ones are
    // large so a busy connection writes in big pieces.
    private const int FirstChunkSize = 4 * 1024;

    // At most this many chunks (1 MB) per write, so writes to a slow reader still complete often.
    private const int MaxChunksPerWrite = 16;

    private readonly Lock _lock = new();
    private readonly AsyncSignal _signal = new();
    private readonly Stream _stream;
    private readonly SocketSender? _sender;
    private readonly IGatheredWriteStream? _gathered;
    private List<Chunk> _sealed = [];
    private byte[]? _current;
    private int _currentLength;
    private long _queuedBytes;
    private long _maxPending;
    private long _messagesQueued;
    private long _payloadBytesQueued;
    private bool _closed;
    private bool _drainThenStop;
    private int _flushEnlisted;
    private int _pressureReported;
    private long _writeStartedTimestamp;
    private long _lastWrittenTimestamp;

    // Set once the peer's TCP stack acknowledged ReadEvidence (MayBeReading).
    private bool _showedReading;

    // Bytes written so far, and the peer's progress (bytes its TCP stack acknowledged where
    // known, else written) when its queue last passed the pressure threshold (-1 while the
    // queue is below it again, at half), and when.
    private long _writtenBytes;
    private long _progressAtPressure = -1;
    private long _pressureTimestamp;

    // Completed after every write while a producer waits for this peer to drain.
    private TaskCompletionSource? _progress;

    // Who writes to the socket (OutboundBuffer.Writer.cs): 1 while someone does, the writer
    // task or a producer flushing in place (Interlocked), 0 when nobody does. Held from
    // construction until the writer task starts, and again from the moment it ends.
    private int _sending = 1;

    // 1 when a flush asked for everything queued, the chunk being filled included, and no
    // sender has taken it yet: set by producers, taken (Interlocked) by the sender.
    private int _flushRequested;

    // A write a producer started in place that the socket did not complete at once: set by
    // that producer (which keeps _sending), finished by the writer task.
    private volatile bool _handoff;
    private ValueTask<int> _handedOff;
    private long _handedOffBytes;

    // The sender's own (whoever holds _sending): the chunks of the write in progress and
    // their segments for the gathered send.
    private List<Chunk> _writing = [];
    private readonly List<ArraySegment<byte>> _segments = [];

    /// <summary>Creates the outbound side of a connection.</summary>
    /// <param name="stream">Where to write (a TLS stream, say).</param>
    /// <param name="socket">The plain socket when <paramref name="stream"/> is not encrypted:
    /// chunks then go out in one gathered write per flush (as they do to a stream that is an
    /// <see cref="IGatheredWriteStream"/>).</param>
    /// <param name="maxPending">max_pending in bytes.</param>
    public OutboundBuffer(Stream stream, System.Net.Sockets.Socket? socket, long maxPending)
    {
        _stream = stream;
        _sender = socket is null ? null : new SocketSender(socket);
        _gathered = _sender is null ? stream as IGatheredWriteStream : null;
        _maxPending = maxPending;
    }

    /// <summary>Bytes queued and not yet written (what max_pending limits).</summary>
    public long PendingBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>Limit of <see cref="PendingBytes"/>; may change on reload.</summary>
    public long MaxPending
    {
        get => Volatile.Read(ref _maxPending);
        set => Volatile.Write(ref _maxPending, value);
    }

    /// <summary>When the write in progress started (Stopwatch ticks), or 0 when none is.</summary>
    public long WriteStartedTimestamp => Volatile.Read(ref _writeStartedTimestamp);

    /// <summary>Messages queued with <see cref="AppendMessage"/>.</summary>
    public long MessagesQueued => Interlocked.Read(ref _messagesQueued);

    /// <summary>Payload bytes of the messages queued with <see cref="AppendMessage"/>.</summary>
    public long PayloadBytesQueued => Interlocked.Read(ref _payloadBytesQueued);

    /// <summary>Counts a message delivered by another path (a plugin's own protocol) as if it had been queued here.</summary>
    internal void CountDeliveredElsewhere(int messageSize)
    {
        lock (_lock)
        {
            _messagesQueued++;
            _payloadBytesQueued += messageSize;
        }
    }

    /// <summary>
    /// Queues a message frame (control line, headers, payload, CRLF) and counts it; the count
    /// is kept under the lock the append takes anyway, so delivery needs no extra atomics.
    /// </summary>
    /// <param name="line">The control line.</param>
    /// <param name="headers">The header block (may be empty).</param>
    /// <param name="payload">The payload.</param>
    /// <param name="end">The closing CRLF.</param>
    public AppendResult AppendMessage(ReadOnlySpan<byte> line, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> end) =>
        Append(line, headers, payload, end, headers.Length + payload.Length);

    /// <summary>Queues one frame made of up to four parts (parts may be empty).</summary>
    public AppendResult Append(
        ReadOnlySpan<byte> part1,
        ReadOnlySpan<byte> part2 = default,
        ReadOnlySpan<byte> part3 = default,
        ReadOnlySpan<byte> part4 = default) => Append(part1, part2, part3, part4, -1);

    private AppendResult Append(
        ReadOnlySpan<byte> part1,
        ReadOnlySpan<byte> part2,
        ReadOnlySpan<byte> part3,
        ReadOnlySpan<byte> part4,
        int messageSize)
    {
        var length = part1.Length + part2.Length + part3.Length + part4.Length;
        bool pressured;
        lock (_lock)
        {
            if (_closed)
            {
                return AppendResult.Closed;
            }
            if (_queuedBytes + length > _maxPending)
            {
                return AppendResult.SlowConsumer;
            }
            CopyIn(part1);
            CopyIn(part2);
            CopyIn(part3);
            CopyIn(part4);
            _queuedBytes += length;
            if (messageSize >= 0)
            {
                _messagesQueued++;
                _payloadBytesQueued += messageSize;
            }
            pressured = _queuedBytes > PressureThreshold;
            if (pressured && _progressAtPressure < 0)
            {
                _progressAtPressure = TryGetTcpProgress(out var acked, out _, out _) ? acked : _writtenBytes; // once per episode: a syscall on Linux
                _pressureTimestamp = Stopwatch.GetTimestamp();
            }
        }
        // A plain read first: while a flush is already pending this avoids an atomic per message.
        if (Volatile.Read(ref _flushEnlisted) == 0 && Interlocked.Exchange(ref _flushEnlisted, 1) == 0)
        {
            FlushBatch.Enlist(this);
        }
        if (pressured && Volatile.Read(ref _pressureReported) == 0 && Interlocked.Exchange(ref _pressureReported, 1) == 0)
        {
            FlushBatch.ReportPressure(this);
        }
        return AppendResult.Queued;
    }

    // Beyond this much queued output a peer counts as behind even when max_pending is far
    // larger: nats-server keeps queues short by writing from the producer itself, and
    // without a cap here a few fast fan-outs would each park tens of megabytes.
    private const long PressureCap = 4L * 1024 * 1024;

    /// <summary>
    /// Past this, the peer falls behind and producers are asked to wait for it: 75% of
    /// max_pending as in nats-server, but at most <see cref="PressureCap"/>.
    /// </summary>
    private long PressureThreshold => Math.Min(Volatile.Read(ref _maxPending) / 4 * 3, PressureCap);

    /// <summary>
    /// Back-pressure for a producer that filled this buffer past its pressure threshold: waits
    /// until the peer has drained it to half that, unless the peer is stuck.
    /// </summary>
    /// <remarks>
    /// Whether a peer is stuck or merely behind is told by what it took: what its TCP stack
    /// acknowledged on a plain socket on Linux (a completed write only means our kernel took
    /// the bytes), else what our side wrote.
    /// <list type="bullet">
    /// <item>A peer that never showed that it reads (less than <see cref="ReadEvidence"/>
    /// acknowledged in all) and leaves unacknowledged bytes in our kernel is given up once its
    /// receive window has been shut (nothing went out to it) for <paramref name="stuckWrite"/>
    /// (<paramref name="stalledWrite"/> while it still advertises a chunk's worth of window: its
    /// kernel has not taken in what was sent yet), alone or not, as nats-server stalls its producer only milliseconds before the peer fills
    /// max_pending and is cut.
    /// Without acknowledgements: once its write is in flight that long, unless it took
    /// something since its queue passed the pressure threshold (then <paramref name="stalledWrite"/>).</item>
    /// <item>One that showed that it reads is given up once its write took
    /// <paramref name="stalledWrite"/> and writes to other live peers the producer feeds
    /// (<paramref name="others"/> that showed that they read, or whose TCP progress is
    /// unknown) completed meanwhile: waiting then holds back live peers.</item>
    /// <item>One that showed that it reads, while none of the others completes a write either,
    /// is waited for however long (a healthy reader whose process is descheduled or paused:
    /// giving up would fill its max_pending and cut it, while waiting holds back nobody who
    /// could go on); write_deadline still ends a write that never completes, and the wait.</item>
    /// </list>
    /// </remarks>
    /// <param name="stuckWrite">How long a write of a peer with no evidence of reading may take.</param>
    /// <param name="stalledWrite">How long a write of a peer that reads may take while others progress.</param>
    /// <param name="others">The peers the producer feeds (this one may be among them).</param>
    /// <param name="cancellationToken">Ends the wait (shutdown).</param>
    public async ValueTask WaitWhileBehindAsync(
        TimeSpan stuckWrite, TimeSpan stalledWrite, IReadOnlyList<OutboundBuffer> others, CancellationToken cancellationToken)
    {
        try
        {
            var stuckWriteTicks = (long)(stuckWrite.TotalSeconds * Stopwatch.Frequency);
            var stalledWriteTicks = (long)(stalledWrite.TotalSeconds * Stopwatch.Frequency);
            var target = PressureThreshold / 2;
            while (!Volatile.Read(ref _closed) && Volatile.Read(ref _queuedBytes) > target)
            {
                var progress = Volatile.Read(ref _progress);
                if (progress is null)
                {
                    // While this exists the writer sends chunk by chunk, so a live peer shows
                    // progress at least every chunk.
                    var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    progress = Interlocked.CompareExchange(ref _progress, created, null) ?? created;
                    continue; // re-check: a write may have completed meanwhile
                }
                // Re-checked at least every stuckWrite: others' progress wakes nobody here.
                var recheck = stuckWriteTicks;
                var left = TimeLeft(Volatile.Read(ref _writeStartedTimestamp), stuckWriteTicks, stalledWriteTicks, others);
                if (left <= 0)
                {
                    return;
                }
                recheck = Math.Min(recheck, left);
                // Woken by the next completed write (or the close); the timeout re-checks.
                try
                {
                    await progress.Task.WaitAsync(TimeSpan.FromSeconds((double)recheck / Stopwatch.Frequency), cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        finally
        {
            Volatile.Write(ref _pressureReported, 0);
        }
    }

    /// <summary>
    /// How much longer the producer waits for this peer before giving it up (Stopwatch ticks;
    /// at most 0: now; <see cref="long.MaxValue"/>: until it drains or closes). When the write in
    /// flight started (<paramref name="started"/>; 0: none is) and the bounds are as in
    /// <see cref="WaitWhileBehindAsync"/>.
    /// </summary>
    private long TimeLeft(long started, long stuckWriteTicks, long stalledWriteTicks, IReadOnlyList<OutboundBuffer> others)
    {
        var now = Stopwatch.GetTimestamp();
        var acknowledged = TryGetTcpProgress(out var acked, out var sinceDataSentMs, out var window);
        if (acknowledged && acked < ReadEvidence && Volatile.Read(ref _writtenBytes) - acked >= TakenSomething)
        {
            // Never read, and our kernel holds a chunk it has not acknowledged: given up once
            // its window has been shut (no data went out to it) for stuckWrite. Not counted by
            // our writes, which may go on completing into our kernel's send buffer for
            // megabytes after the window shut.
            // A stuck reader's window is shut or nearly (stuckbench's: 2 KB advertised; 0 once
            // a default receive buffer is full). One that still advertises a chunk's worth while
            // nothing goes out has not had its kernel take in what was sent: its reader holds
            // the socket (descheduled in the middle of a read), which says nothing of a stuck
            // reader. Measured on a loaded machine: a healthy new subscriber, its window 98 KB
            // open, 3.4 KB acknowledged, nothing sent for 12 ms, was given up and cut at
            // max_pending (docs/benchmarks.md, "The stuck subscriber's close"). It gets
            // stalledWrite instead.
            return (window >= TakenSomething ? stalledWriteTicks : stuckWriteTicks) - sinceDataSentMs * Stopwatch.Frequency / 1000;
        }
        if (started == 0)
        {
            return long.MaxValue; // no write in flight: the peer is not what holds its queue
        }
        // A write in flight (past stuckWrite: our kernel's buffer is full, the peer holds
        // unacknowledged bytes).
        long mark;
        long pressureSince;
        lock (_lock)
        {
            mark = _progressAtPressure;
            pressureSince = _pressureTimestamp;
        }
        // Less than a chunk counts as nothing: a peer's TCP stack may acknowledge a last
        // kilobyte or two well after its reader stopped.
        var progress = acknowledged ? acked : Volatile.Read(ref _writtenBytes);
        var tookSomething = mark < 0 || progress - mark >= TakenSomething;
        long bound;
        if (!(acknowledged && acked >= ReadEvidence))
        {
            bound = tookSomething ? stalledWriteTicks : stuckWriteTicks;
        }
        else
        {
            // Others progressed since this write began (since the peer fell behind when it took
            // nothing since: not "since this wait began", the waiting producer itself holds
            // every other peer of its subject idle).
            bound = AnyWroteSince(others, tookSomething ? started : pressureSince) ? stalledWriteTicks : long.MaxValue;
        }
        return bound == long.MaxValue ? bound : bound - (now - started);
    }

    /// <summary>
    /// Whether a live peer of <paramref name="others"/> other than this one completed a write
    /// after <paramref name="timestamp"/>. A peer that never showed that it reads is no live
    /// peer the wait holds back: our kernel's send buffer goes on taking its writes for
    /// megabytes after its reader stopped, and counting those gave up a healthy reader paused
    /// (descheduled on a loaded machine) beside a stuck one, cutting it at max_pending.
    /// </summary>
    private bool AnyWroteSince(IReadOnlyList<OutboundBuffer> others, long timestamp)
    {
        for (var i = 0; i < others.Count; i++)
        {
            var other = others[i];
            if (!ReferenceEquals(other, this) && Volatile.Read(ref other._lastWrittenTimestamp) > timestamp && other.MayBeReading())
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// False for a peer whose TCP stack acknowledged less than <see cref="ReadEvidence"/> in
    /// all; true once it did (remembered: acknowledged bytes only grow) or where the TCP
    /// stack's progress is unknown (then a completed write is all there is to go by).
    /// </summary>
    private bool MayBeReading()
    {
        if (Volatile.Read(ref _showedReading))
        {
            return true;
        }
        if (!TryGetTcpProgress(out var acked, out _, out _))
        {
            return true;
        }
        if (acked < ReadEvidence)
        {
            return false;
        }
        Volatile.Write(ref _showedReading, true);
        return true;
    }

    // What a peer must take after falling behind to count as live: one full chunk.
    private const long TakenSomething = ChunkPool.ChunkSize;

    // What a peer's TCP stack must have acknowledged in all to have shown that its reader reads.
    // A reader that never reads acknowledges at most its receive buffer: 128 KB with Linux's
    // default tcp_rmem (it grows only as the reader reads; measured on loopback: 128,512
    // bytes), or twice what SO_RCVBUF asked for. A client that asks for more than 128 KB and
    // then never reads passes for a reader: it is given up when others progress, or at
    // write_deadline. Low, so that a new subscriber soon counts as a reader: until then a
    // pause of stuckWrite at the wrong moment gives it up, as nats-server would.
    private const long ReadEvidence = 256 * 1024;

    /// <summary>
    /// The peer's progress as its TCP stack tells it (Linux TCP_INFO on a plain socket; see
    /// <see cref="SocketSender.TryGetTcpProgress"/>): unlike a completed write, which only means
    /// our kernel took the bytes (its send buffer takes megabytes from a reader that never
    /// reads), acknowledged bytes move only while the peer's reader reads.
    /// </summary>
    private bool TryGetTcpProgress(out long acked, out long sinceDataSentMs, out long window)
    {
        acked = 0;
        sinceDataSentMs = 0;
        window = 0;
        return _sender is not null && _sender.TryGetTcpProgress(out acked, out sinceDataSentMs, out window);
    }

    /// <summary>Forgets a pressure report nobody will wait on.</summary>
    public void ClearPressure() => Volatile.Write(ref _pressureReported, 0);

    /// <summary>
    /// Stops accepting frames. With <paramref name="drain"/> the writer first sends what is
    /// queued (an -ERR before a close, say); otherwise queued output is dropped.
    /// </summary>
    public void Close(bool drain)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _drainThenStop = drain;
            if (!drain)
            {
                ReleaseQueued();
            }
        }
        _signal.Set();
        WakeWaiter();
    }

    /// <summary>Releases a buffer whose writer never ran (its connection moved onto TLS first).</summary>
    public void Discard()
    {
        Close(drain: false);
        _sender?.Dispose();
    }

    private void CopyIn(ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            if (_current is null || _currentLength == _current.Length)
            {
                if (_current is not null)
                {
                    _sealed.Add(new Chunk(_current, _currentLength));
                }
                // A burst starts in a small pooled array (most connections send little);
                // what follows goes into full chunks.
                _current = _sealed.Count == 0 && source.Length <= FirstChunkSize
                    ? ArrayPool<byte>.Shared.Rent(FirstChunkSize)
                    : ChunkPool.Rent();
                _currentLength = 0;
            }
            var count = Math.Min(source.Length, _current.Length - _currentLength);
            source[..count].CopyTo(_current.AsSpan(_currentLength));
            _currentLength += count;
            source = source[count..];
        }
    }

    private void ReleaseQueued()
    {
        ReturnAll(_sealed);
        if (_current is not null)
        {
            ChunkPool.Return(_current);
            _current = null;
        }
        _currentLength = 0;
    }

    private static void ReturnAll(List<Chunk> chunks)
    {
        foreach (var chunk in chunks)
        {
            ChunkPool.Return(chunk.Buffer);
        }
        chunks.Clear();
    }

    private readonly record struct Chunk(byte[] Buffer, int Length);

    /// <summary>What the writer does next: send a batch, wait for a signal, or end.</summary>
    private enum WriterStep : byte
    {
        Write,
        Wait,
        Stop,
        // The socket refused a write: the peer is gone.
        Failed,
    }
}
