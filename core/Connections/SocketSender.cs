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

    /// <summary>
    /// What <see cref="SendAsync"/> completes with when the socket refused the write (the peer
    /// reset, or the connection was shut down under it; <see cref="SocketAsyncEventArgs.SocketError"/>
    /// says which). A value, not a thrown <see cref="SocketException"/>: every peer that goes
    /// away with data owed ends this way, a slow consumer's close among them, and the first
    /// exception of a process built its message and unwound three async frames on a pool
    /// thread next to the healthy subscribers.
    /// </summary>
    public const int Failed = -1;

    /// <summary>Sends all of <paramref name="buffers"/>; completes with the byte count, or <see cref="Failed"/>.</summary>
    public ValueTask<int> SendAsync(IList<ArraySegment<byte>> buffers)
    {
        _core.Reset();
        BufferList = buffers;
        if (!_socket.SendAsync(this))
        {
            // Completed synchronously: no continuation to schedule.
            BufferList = null;
            return new ValueTask<int>(Outcome);
        }
        return new ValueTask<int>(this, _core.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        BufferList = null;
        _core.SetResult(Outcome);
    }

    private int Outcome => SocketError == SocketError.Success ? BytesTransferred : Failed;

    /// <summary>
    /// What Linux's TCP_INFO tells of the peer: the bytes its TCP stack acknowledged so far
    /// (tcpi_bytes_acked; unlike a completed send, which only means our kernel took the bytes,
    /// this moves only while the peer's receive window is open, that is while its reader reads)
    /// and the milliseconds since data last went out to it (tcpi_last_data_sent: with bytes
    /// unacknowledged, how long its window has been shut), and the receive window it last advertised
    /// (tcpi_snd_wnd, Linux 5.4 and later; 0 where not reported). False where unavailable.
    /// </summary>
    public bool TryGetTcpProgress(out long bytesAcked, out long sinceDataSentMs, out long window)
    {
        bytesAcked = 0;
        sinceDataSentMs = 0;
        window = 0;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        Span<byte> info = stackalloc byte[TcpInfoSize];
        int length;
        try
        {
            length = _socket.GetRawSocketOption(IpProtocolTcp, TcpInfoOption, info);
            if (length < BytesAckedOffset + sizeof(long))
            {
                return false;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
        bytesAcked = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(info[BytesAckedOffset..]);
        sinceDataSentMs = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(info[LastDataSentOffset..]);
        if (length >= SendWindowOffset + sizeof(uint))
        {
            window = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(info[SendWindowOffset..]);
        }
        return true;
    }

    // struct tcp_info (linux/tcp.h): 8 bytes of flags, then __u32 fields (tcpi_last_data_sent is
    // the tenth), 24 in all, then two __u64 and tcpi_bytes_acked; tcpi_snd_wnd is the last field
    // of the 232 bytes read here.
    private const int IpProtocolTcp = 6;
    private const int TcpInfoOption = 11;
    private const int TcpInfoSize = 232;
    private const int LastDataSentOffset = 44;
    private const int BytesAckedOffset = 120;
    private const int SendWindowOffset = 228;

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
