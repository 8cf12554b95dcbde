using System.Buffers;
using Nats.Core.Connections;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// What an MQTT connection sends its client: packets are appended under a lock by whichever
/// task produces them (the read loop's acknowledgements, deliveries from the kernel and from
/// JetStream) and written by one writer task, two buffers swapped so producers never wait for
/// the socket. A client that lets more than <see cref="MaxPendingBytes"/> pile up is a slow
/// consumer and is dropped, as the kernel drops slow NATS clients.
/// </summary>
internal sealed class ClientOutput : IFlushable
{
    /// <summary>How much may wait for a client that does not read.</summary>
    public const int MaxPendingBytes = 64 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly object _lock = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    // Small at first (an idle connection keeps both); they grow with what the client is sent.
    private ArrayBufferWriter<byte> _current = new(256);
    private ArrayBufferWriter<byte> _spare = new(256);
    private bool _signaled;
    private bool _closed;

    // 1 while enlisted in a publisher's flush batch (kernel deliveries, on publishers' threads).
    private int _enlisted;

    public ClientOutput(Stream stream) => _stream = stream;

    /// <summary>Set when the client fell too far behind.</summary>
    public bool SlowConsumer { get; private set; }

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

    /// <summary>Releases the lock taken by <see cref="Begin"/>; wakes the writer unless <paramref name="flush"/> is false (a batch goes on).</summary>
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

    /// <summary>Wakes the writer for what was appended.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (_signaled || (_current.WrittenCount == 0 && !_closed))
            {
                return;
            }
            _signaled = true;
        }
        _signal.Release();
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

    /// <summary>Stops accepting packets; the writer sends what is buffered, then ends.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
        Flush();
    }

    /// <summary>Writes until closed and drained, or the socket fails.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                ArrayBufferWriter<byte> batch;
                bool closed;
                lock (_lock)
                {
                    _signaled = false;
                    batch = _current;
                    _current = _spare;
                    _spare = batch;
                    closed = _closed;
                }
                if (batch.WrittenCount > 0 && !SlowConsumer)
                {
                    await _stream.WriteAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                ResetBuffer(batch);
                if (closed)
                {
                    lock (_lock)
                    {
                        if (_current.WrittenCount == 0 || SlowConsumer)
                        {
                            return;
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            lock (_lock)
            {
                _closed = true;
            }
        }
    }

    // A buffer that grew for a burst is dropped rather than kept at its peak size per idle connection.
    private void ResetBuffer(ArrayBufferWriter<byte> batch)
    {
        if (batch.Capacity > 256 * 1024)
        {
            lock (_lock)
            {
                if (ReferenceEquals(_spare, batch))
                {
                    _spare = new ArrayBufferWriter<byte>(16 * 1024);
                    return;
                }
            }
        }
        batch.ResetWrittenCount();
    }
}
