using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Nats.Core.Connections;

/// <summary>
/// Sends several buffers with one gathered socket write (sendmsg with an iovec), reusing
/// one <see cref="SocketAsyncEventArgs"/> so a flush allocates nothing. Plain TCP
/// connections write their queued chunks through this; TLS goes through the stream.
/// </summary>
internal sealed class SocketSender : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private readonly Socket _socket;
    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = true };

    public SocketSender(Socket socket)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _socket = socket;
    }

    /// <summary>Sends all of <paramref name="buffers"/>; completes with the byte count.</summary>
    public ValueTask<int> SendAsync(IList<ArraySegment<byte>> buffers)
    {
        _core.Reset();
        BufferList = buffers;
        if (!_socket.SendAsync(this))
        {
            // Completed synchronously: no continuation to schedule.
            BufferList = null;
            return SocketError == SocketError.Success
                ? new ValueTask<int>(BytesTransferred)
                : ValueTask.FromException<int>(new SocketException((int)SocketError));
        }
        return new ValueTask<int>(this, _core.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        BufferList = null;
        if (SocketError == SocketError.Success)
        {
            _core.SetResult(BytesTransferred);
        }
        else
        {
            _core.SetException(new SocketException((int)SocketError));
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
