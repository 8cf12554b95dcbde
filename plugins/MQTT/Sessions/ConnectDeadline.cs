namespace Nats.Mqtt.Sessions;

/// <summary>
/// The time a client has to send CONNECT (nats-server's auth timer, from accept). It measures
/// the client, not this process: when it runs out while the client's bytes wait unread in the
/// socket (this process was slow to read them: code compiling at start-up, a starved thread
/// pool under load), it is extended, a bounded number of times, instead of closing a client
/// that sent its CONNECT in time.
/// </summary>
/// <remarks>
/// The timer's callback and <see cref="Dispose"/> may race: the decision is made under the lock.
/// The token source is cancelled outside it (its callbacks may run the reader's continuation,
/// which disposes this) and never disposed: without a timer of its own it holds nothing.
/// </remarks>
internal sealed class ConnectDeadline : IDisposable
{
    // A client trickling bytes in gets no more than this many extra periods.
    private const int MaxExtensions = 3;

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _expired = new();
    private readonly Timer _timer;
    private readonly TimeSpan _timeout;
    private readonly Func<bool>? _inputWaiting;
    private int _extensions;
    private bool _disposed;

    /// <param name="timeout">How long the client has.</param>
    /// <param name="inputWaiting">Whether bytes from the client wait unread (null: not known, never extended).</param>
    public ConnectDeadline(TimeSpan timeout, Func<bool>? inputWaiting)
    {
        _timeout = timeout;
        _inputWaiting = inputWaiting;
        _timer = new Timer(static state => ((ConnectDeadline)state!).OnDue(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled once the client ran out of time.</summary>
    public CancellationToken Token => _expired.Token;

    /// <summary>True once the client ran out of time.</summary>
    public bool Expired => _expired.IsCancellationRequested;

    private void OnDue()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            if (_extensions < MaxExtensions && _inputWaiting?.Invoke() == true)
            {
                _extensions++;
                _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
                return;
            }
        }
        _expired.Cancel();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }
}
