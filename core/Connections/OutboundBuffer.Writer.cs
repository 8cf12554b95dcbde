using System.Diagnostics;

namespace Nats.Core.Connections;

/// <summary>
/// Sending: the writer task, and the producer that flushes in place. Whoever holds
/// <c>_sending</c> is the only one touching the socket and the chunks being written.
/// </summary>
/// <remarks>
/// A client's read loop ends its batch by writing to an idle peer itself, as nats-server's
/// read loop does (flushClients with a budget): the send is non-blocking, and when the socket
/// takes it at once no other thread wakes. Waking the writer task instead costs two thread
/// hops per flush (queue the writer, wake a pool thread, which then spins for more work),
/// which is most of the server's CPU for a request and its reply. When the socket does not
/// take everything at once the writer task finishes that write, so a producer never waits.
/// </remarks>
internal sealed partial class OutboundBuffer
{
    // The most a flush in place sends: what fits the first, small chunk of a burst.
    private const int InPlaceLimit = FirstChunkSize;

    /// <summary>Asks the writer task to send everything queued (never blocks, never writes on this thread).</summary>
    public void Flush()
    {
        Volatile.Write(ref _flushEnlisted, 0);
        Volatile.Write(ref _flushRequested, 1);
        _signal.Set();
    }

    /// <summary>
    /// Sends what is queued from this thread when it is small, nobody is writing and the
    /// socket takes it without waiting; otherwise leaves it to the writer task as
    /// <see cref="Flush"/> does.
    /// </summary>
    public void FlushInPlace()
    {
        Volatile.Write(ref _flushEnlisted, 0);
        Volatile.Write(ref _flushRequested, 1);
        // Only small flushes (a request, a reply): a large one goes to the writer task, which
        // sends it on the other core while this read loop parses on. Sending those in place too
        // cost throughput in bench.sh's queue5-128 (1.51M -> 1.18M msgs/s) and pubsub-128-lib.
        if (_sender is null || Volatile.Read(ref _queuedBytes) > InPlaceLimit ||
            Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
        {
            // TLS (no socket to send on), a large flush, or a write in progress (its sender
            // takes this too).
            _signal.Set();
            return;
        }
        var takeCurrent = Interlocked.Exchange(ref _flushRequested, 0) != 0;
        var step = TakeBatch(ref _writing, ref takeCurrent);
        if (takeCurrent)
        {
            // More than one write's worth: its tail is still owed, the writer task sends it.
            Volatile.Write(ref _flushRequested, 1);
        }
        if (step != WriterStep.Write)
        {
            ReleaseSending();
            return;
        }
        var bytes = PrepareWrite();
        ValueTask<int> sending;
        try
        {
            sending = _sender.SendAsync(_segments);
        }
        catch (Exception ex)
        {
            // A socket closed under us: the writer task meets the error and closes as it would.
            sending = ValueTask.FromException<int>(ex);
        }
        if (sending.IsCompletedSuccessfully)
        {
            var sent = sending.Result;
            if (sent != SocketSender.Failed)
            {
                Written(bytes);
                ReturnAll(_writing);
                ReleaseSending();
                return;
            }
            // Refused: the writer task meets the failure and stops, as it would.
            sending = new ValueTask<int>(sent);
        }
        _handedOff = sending;
        _handedOffBytes = bytes;
        _handoff = true;
        _signal.Set();
    }

    /// <summary>
    /// The writer: runs until <see cref="Close"/>, sending whatever is queued. Completes with
    /// false when it stopped because the socket refused a write (the peer is gone); a stream's
    /// failed write throws instead.
    /// </summary>
    public async Task<bool> RunWriterAsync()
    {
        try
        {
            // From now on producers may send in place (until now every flush waited for this task).
            ReleaseSending();
            while (true)
            {
                await _signal.WaitAsync();
                if (_handoff)
                {
                    // A producer's write in place that did not complete at once: finish it and
                    // go on as the sender.
                    _handoff = false;
                    var sending = _handedOff;
                    _handedOff = default;
                    if (await sending == SocketSender.Failed)
                    {
                        return false;
                    }
                    Written(_handedOffBytes);
                    ReturnAll(_writing);
                }
                else if (Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
                {
                    // A producer is sending in place; it signals again if it leaves anything.
                    continue;
                }
                var step = await WriteQueuedAsync();
                if (step != WriterStep.Wait)
                {
                    // Keeps _sending: nobody writes to this socket any more.
                    return step == WriterStep.Stop;
                }
                ReleaseSending();
            }
        }
        finally
        {
            Volatile.Write(ref _writeStartedTimestamp, 0);
            ReturnAll(_writing);
            lock (_lock)
            {
                _closed = true;
                ReleaseQueued();
            }
            WakeWaiter();
            _sender?.Dispose();
        }
    }

    /// <summary>Writes until nothing owed is queued; returns why it stopped (Wait, Stop or Failed).</summary>
    private async ValueTask<WriterStep> WriteQueuedAsync()
    {
        // A flush sends everything queued, the chunk being filled included. After that write
        // only chunks already full go on, unless another flush came: the rest belongs to a
        // producer still in its read batch, which flushes at the batch's end. Taking it early
        // (this task runs on the other core) split each batch into several small writes:
        // fanout5-128 made 3.4 sendmsg per subscriber per read this way, against about 1 waiting.
        var takeCurrent = false;
        while (true)
        {
            if (Volatile.Read(ref _flushRequested) != 0 && Interlocked.Exchange(ref _flushRequested, 0) != 0)
            {
                takeCurrent = true;
            }
            var step = TakeBatch(ref _writing, ref takeCurrent);
            if (step != WriterStep.Write)
            {
                return step;
            }
            if (_sender is not null || _gathered is not null)
            {
                var written = PrepareWrite();
                if (_sender is not null)
                {
                    if (await _sender.SendAsync(_segments) == SocketSender.Failed)
                    {
                        return WriterStep.Failed;
                    }
                }
                else
                {
                    await _gathered!.WriteAsync(_segments);
                }
                Written(written);
            }
            else
            {
                foreach (var chunk in _writing)
                {
                    Volatile.Write(ref _writeStartedTimestamp, Stopwatch.GetTimestamp());
                    await _stream.WriteAsync(chunk.Buffer.AsMemory(0, chunk.Length));
                    Written(chunk.Length);
                }
            }
            ReturnAll(_writing);
        }
    }

    /// <summary>Lists the chunks taken for writing as segments for one gathered write; returns their bytes.</summary>
    private long PrepareWrite()
    {
        Volatile.Write(ref _writeStartedTimestamp, Stopwatch.GetTimestamp());
        long bytes = 0;
        _segments.Clear();
        foreach (var chunk in _writing)
        {
            _segments.Add(new ArraySegment<byte>(chunk.Buffer, 0, chunk.Length));
            bytes += chunk.Length;
        }
        return bytes;
    }

    /// <summary>
    /// Lets go of the socket; if a flush, a full chunk or a close came meanwhile (its producer
    /// found the socket busy and only signaled), the writer task takes it from here.
    /// </summary>
    private void ReleaseSending()
    {
        Interlocked.Exchange(ref _sending, 0);
        bool owed;
        lock (_lock)
        {
            owed = _closed || _sealed.Count > 0;
        }
        if (owed || Volatile.Read(ref _flushRequested) != 0)
        {
            _signal.Set();
        }
    }

    /// <summary>Accounts for bytes the peer took and wakes a producer waiting for progress.</summary>
    private void Written(long bytes)
    {
        Volatile.Write(ref _writeStartedTimestamp, 0);
        Volatile.Write(ref _lastWrittenTimestamp, Stopwatch.GetTimestamp());
        lock (_lock)
        {
            _queuedBytes -= bytes;
            _writtenBytes += bytes;
            if (_progressAtPressure >= 0 && _queuedBytes <= PressureThreshold / 2)
            {
                _progressAtPressure = -1; // caught up: the next pressure is a new episode
            }
        }
        WakeWaiter();
    }

    /// <summary>Wakes a producer waiting for this peer (a write completed, or the buffer closed).</summary>
    private void WakeWaiter() => Interlocked.Exchange(ref _progress, null)?.TrySetResult();

    /// <summary>
    /// Moves the next batch of queued chunks (at most <see cref="MaxChunksPerWrite"/>) into
    /// <paramref name="writing"/>, which the sender has emptied; the chunk being filled too
    /// when <paramref name="takeCurrent"/> (after a flush) or when draining a closed buffer.
    /// <paramref name="takeCurrent"/> stays set until the chunk being filled is taken: a flush of
    /// more than a write's worth (a 1 MB message is 16 full chunks and a tail) must not leave
    /// its tail waiting for the next flush, which may never come.
    /// </summary>
    private WriterStep TakeBatch(ref List<Chunk> writing, ref bool takeCurrent)
    {
        // While a producer waits for this peer, one chunk per write: the producer tells a
        // slow peer from a stuck one by how long a write takes, and a small one completes
        // soon to any reader that reads at all.
        var limit = Volatile.Read(ref _progress) is null ? MaxChunksPerWrite : 1;
        lock (_lock)
        {
            if (_closed && !_drainThenStop)
            {
                return WriterStep.Stop;
            }
            if ((takeCurrent || _closed) && _current is not null && _currentLength > 0 && _sealed.Count < limit)
            {
                _sealed.Add(new Chunk(_current, _currentLength));
                _current = null;
                _currentLength = 0;
            }
            if (_current is null || _currentLength == 0)
            {
                takeCurrent = false;
            }
            if (_sealed.Count == 0)
            {
                return _closed ? WriterStep.Stop : WriterStep.Wait;
            }
            if (_sealed.Count <= limit)
            {
                (writing, _sealed) = (_sealed, writing);
            }
            else
            {
                // A bounded write completes often even to a slow reader, which is
                // how back-pressure tells a slow peer from a stuck one.
                writing.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_sealed)[..limit]);
                _sealed.RemoveRange(0, limit);
            }
            return WriterStep.Write;
        }
    }
}
