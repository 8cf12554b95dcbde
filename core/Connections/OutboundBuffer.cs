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
/// the peer to drain (<see cref="WaitWhileBehindAsync"/>), but only while the peer keeps
/// making progress, so a stuck reader holds healthy publishers back only briefly. Chunks
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
    private long _lastProgressTimestamp = Stopwatch.GetTimestamp();

    // When any buffer of the process last completed a write (Stopwatch ticks, about to the
    // millisecond): written by every writer, read by producers telling a stuck peer (others
    // progress, it does not) from a machine too busy to run anyone's reader.
    private static long s_lastWriteCompleted;

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
            if (_queuedBytes == 0)
            {
                // Progress is measured from when output starts waiting, not from an old write.
                _lastProgressTimestamp = Stopwatch.GetTimestamp();
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
        }
        // A plain read first: while a flush is already pending this avoids an atomic per message.
        if (Volatile.Read(ref _flushEnlisted) == 0 && Interlocked.Exchange(ref _flushEnlisted, 1) == 0)
        {
            FlushBatch.Enlist(this);
        }
        if (Volatile.Read(ref _queuedBytes) > PressureThreshold && Volatile.Read(ref _pressureReported) == 0 &&
            Interlocked.Exchange(ref _pressureReported, 1) == 0)
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
    /// until the peer has drained it to half that, but only while the peer can be live.
    /// </summary>
    /// <remarks>
    /// A peer is stuck, not slow, when its write has not completed for
    /// <paramref name="stuckWrite"/> and writes to other peers completed after it started
    /// (the machine runs; this reader does not read): the producer stops waiting and
    /// the peer is cut off at max_pending instead, so one stuck subscriber costs its
    /// publisher (and every other subscriber) only that long. When nothing else completes
    /// either (the reader may simply be waiting for a CPU, as everyone is) the producer waits
    /// up to <paramref name="noProgress"/>, which also bounds the wait when no write is in
    /// flight at all (the writer task waits for a thread).
    /// </remarks>
    public async ValueTask WaitWhileBehindAsync(TimeSpan stuckWrite, TimeSpan noProgress, CancellationToken cancellationToken)
    {
        try
        {
            var stuckWriteTicks = (long)(stuckWrite.TotalSeconds * Stopwatch.Frequency);
            var noProgressTicks = (long)(noProgress.TotalSeconds * Stopwatch.Frequency);
            var target = PressureThreshold / 2;
            while (!_closed && Volatile.Read(ref _queuedBytes) > target)
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
                var now = Stopwatch.GetTimestamp();
                var started = Volatile.Read(ref _writeStartedTimestamp);
                long remaining;
                if (started != 0)
                {
                    // Others progressed after this write began: the machine runs, this peer's
                    // reader does not. (Not "since this wait began": the waiting producer itself
                    // holds every other peer of its subject idle.)
                    var othersProgressed = Volatile.Read(ref s_lastWriteCompleted) > started;
                    if (othersProgressed && now - started > stuckWriteTicks)
                    {
                        return;
                    }
                    // Re-check at least every stuckWrite for others' progress.
                    remaining = Math.Min(started + noProgressTicks - now, othersProgressed ? started + stuckWriteTicks - now : stuckWriteTicks);
                }
                else
                {
                    remaining = Volatile.Read(ref _lastProgressTimestamp) + noProgressTicks - now;
                }
                if (remaining <= 0)
                {
                    return;
                }
                // Woken by the next completed write; the timeout re-checks for a stuck peer.
                try
                {
                    await progress.Task.WaitAsync(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency), cancellationToken)
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
    }
}
