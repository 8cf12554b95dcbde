using System.Buffers;
using Nats.Core.Connections;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// What an MQTT connection sends its client: packets are appended under a lock by whichever
/// task produces them (the read loop's acknowledgements, deliveries from the kernel and from
/// JetStream) and written by a drain that runs only while there is something to write (two
/// buffers swapped, so producers never wait for the socket). An idle connection has no writer
/// task and holds no buffer. A client that lets more than <see cref="MaxPendingBytes"/> pile up
/// is a slow consumer and is dropped, as the kernel drops slow NATS clients.
/// </summary>
internal sealed class ClientOutput : IFlushable
{
    /// <summary>How much may wait for a client that does not read.</summary>
    public const int MaxPendingBytes = 64 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly CancellationToken _cancellation;
    private readonly object _lock = new();
    // Created when someone waits for the end, or at the end (most connections never wait while open).
    private TaskCompletionSource? _completion;
    private bool _finished;
    // Producers append to _current; the drain writes _spare after swapping them (under the lock).
    private PooledBufferWriter _current = new();
    private PooledBufferWriter _spare = new();
    private bool _writing;
    private bool _closed;

    // 1 while enlisted in a publisher's flush batch (kernel deliveries, on publishers' threads).
    private int _enlisted;

    /// <param name="stream">The client's transport.</param>
    /// <param name="cancellation">Ends a write stuck on a client that went away.</param>
    public ClientOutput(Stream stream, CancellationToken cancellation)
    {
        _stream = stream;
        _cancellation = cancellation;
    }

    /// <summary>Set when the client fell too far behind.</summary>
    public bool SlowConsumer { get; private set; }

    /// <summary>Completes once closed and everything queued before was written, or the transport failed.</summary>
    public Task Completion
    {
        get
        {
            lock (_lock)
            {
                return (_completion ??= NewCompletion(_finished)).Task;
            }
        }
    }

    /// <summary>
    /// Takes the lock and returns the buffer to encode into, or null when closed (the lock is
    /// then not held). Every non-null return must be paired with <see cref="End"/>.
    /// </summary>
    public IBufferWriter<byte>? Begin()
    {
        Monitor.Enter(_lock);
        if (_closed)
        {
            Monitor.Exit(_lock);
            return null;
        }
        return _current;
    }

    /// <summary>Releases the lock taken by <see cref="Begin"/>; starts the writer unless <paramref name="flush"/> is false (a batch goes on).</summary>
    public void End(bool flush = true)
    {
        if (_current.WrittenCount > MaxPendingBytes)
        {
            SlowConsumer = true;
            _closed = true;
        }
        Monitor.Exit(_lock);
        if (flush)
        {
            Flush();
        }
    }

    /// <summary>Starts the writer for what was appended (unless it runs: it takes that too).</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (_writing || _finished || (_current.WrittenCount == 0 && !_closed))
            {
                return;
            }
            _writing = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static output => _ = output.DrainAsync(), this, preferLocal: false);
    }

    /// <summary>
    /// Flushes at the end of the current thread's flush batch (a publisher delivering through
    /// the kernel), once however many packets it appends; at once when there is no batch.
    /// </summary>
    public void FlushAtBatchEnd()
    {
        if (Volatile.Read(ref _enlisted) == 0 && Interlocked.Exchange(ref _enlisted, 1) == 0)
        {
            FlushBatch.Enlist(this);
        }
    }

    void IFlushable.Flush()
    {
        Volatile.Write(ref _enlisted, 0);
        Flush();
    }

    /// <summary>Stops accepting packets; the writer sends what is buffered, then <see cref="Completion"/> completes.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
        Flush();
    }

    /// <summary>Writes until nothing is left; completes the output once closed and drained.</summary>
    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                PooledBufferWriter batch;
                lock (_lock)
                {
                    if (_current.WrittenCount == 0 || SlowConsumer)
                    {
                        _writing = false;
                        if (_closed)
                        {
                            Finish();
                        }
                        return;
                    }
                    batch = _current;
                    _current = _spare;
                    _spare = batch;
                }
                await _stream.WriteAsync(batch.WrittenMemory, _cancellation).ConfigureAwait(false);
                await _stream.FlushAsync(_cancellation).ConfigureAwait(false);
                // Only the drain touches the spare: back to the pool until the next write.
                batch.Release();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException or NotSupportedException)
        {
            lock (_lock)
            {
                _closed = true;
                _writing = false;
                Finish();
            }
        }
    }

    // Under the lock, once closed: no producer appends any more, so both buffers go back.
    private void Finish()
    {
        _current.Release();
        _spare.Release();
        _finished = true;
        _completion?.TrySetResult();
    }

    private static TaskCompletionSource NewCompletion(bool finished)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (finished)
        {
            completion.SetResult();
        }
        return completion;
    }
}
