using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Nats.Core.Connections;

/// <summary>
/// What every connection of the server shares, whatever protocol it speaks (client, route,
/// or a plugin's link): the read loop over pooled buffers, the coalescing outbound buffer,
/// closing, activity tracking, keep-alive PINGs and the upgrade to TLS.
/// </summary>
/// <remarks>All its state is declared in this file, each field with the thread that writes
/// it; the code is split by concern: reading (.Reading.cs), keep-alive and deadlines
/// (.Timers.cs), the TLS handshake (.Tls.cs).</remarks>
public abstract partial class NatsConnection
{
    // The connection's state, all of it, with the thread that writes each ("read loop": the
    // task running RunAsync; "heartbeat": the server's timer thread).

    private int _closed; // 0 → 1 once, Interlocked, by whichever thread closes first
    private Task? _writer; // the read loop, once negotiation is done

    // Counted by the read loop per buffer (Volatile.Write), read by monitoring.
    private long _inMessages;
    private long _inBytes;
    // When the peer last sent anything (Stopwatch ticks): read loop writes, heartbeat reads.
    private long _lastActivityTimestamp;

    // Set while an operation completes asynchronously (CONNECT authenticating on the bcrypt
    // worker, say); the read loop awaits it before parsing anything else from this peer.
    // Read loop only.
    private ValueTask _pending;
    private bool _hasPending;

    // Keep-alive. Never due until armed once the first protocol line is queued: the heartbeat
    // sees a connection as soon as it is registered, and a PING must not go out ahead of INFO.
    // Armed by the read loop, advanced by the heartbeat (Volatile).
    private long _nextPingTimestamp = long.MaxValue;
    // When the PING being timed went out (0: none): set by the heartbeat or an RTT request
    // (CompareExchange), taken by the read loop on PONG (Exchange).
    private long _pingSentTimestamp;
    private long _lastPingTimestamp; // heartbeat only
    // Counted up by the heartbeat thread, reset by the read loop on PONG (Interlocked both).
    private int _pingsOut;

    /// <summary>Sets up a connection on an accepted or dialled socket.</summary>
    private protected NatsConnection(NatsServer server, Socket socket, Stream stream, ulong id)
        : this(server, socket, stream, socket.RemoteEndPoint as IPEndPoint, socket.LocalEndPoint as IPEndPoint, id)
    {
    }

    /// <summary>
    /// Sets up a connection on a stream a plugin handed in (a WebSocket, a pipe): without a
    /// socket, closing disposes the stream, and writes go through the stream only.
    /// </summary>
    private protected NatsConnection(NatsServer server, Socket? socket, Stream stream, IPEndPoint? remote, IPEndPoint? local, ulong id)
    {
        Server = server;
        Socket = socket;
        Stream = stream;
        Id = id;
        StartTime = DateTime.UtcNow;
        // A dual-mode listener reports IPv4 peers as ::ffff:a.b.c.d; nats-server shows a.b.c.d.
        RemoteEndPoint = Unmapped(remote);
        LocalEndPoint = Unmapped(local);
        Out = new OutboundBuffer(stream, stream is NetworkStream ? socket : null, server.Options.MaxPending);
        _lastActivityTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Sets up a connection without a transport (a plugin's stream-less client): nothing is read
    /// or written, and its outbound buffer is closed from the start, so whatever the kernel would
    /// queue for it (an INFO update, say) is dropped instead of held.
    /// </summary>
    private protected NatsConnection(NatsServer server, IPEndPoint? remote, ulong id)
        : this(server, null, Stream.Null, remote, null, id)
    {
        Out.Close(drain: false);
    }

    /// <summary>The server-assigned connection id (<c>cid</c>).</summary>
    public ulong Id { get; }

    /// <summary>When the connection was accepted or dialled.</summary>
    public DateTime StartTime { get; }

    /// <summary>The peer's address.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Our side's address.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    /// <summary>Why the connection closed, or <see cref="ClosedReason.None"/> while open.</summary>
    public ClosedReason CloseReason { get; private set; }

    /// <summary>When the connection closed.</summary>
    public DateTime? StopTime { get; private set; }

    /// <summary>True once closed.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Bytes queued for the peer and not yet written.</summary>
    public long PendingBytes => Out.PendingBytes;

    /// <summary>TLS details once a handshake completed (null for plain connections).</summary>
    public TlsConnectionInfo? Tls { get; private protected set; }

    /// <summary>The server this connection belongs to.</summary>
    protected NatsServer Server { get; }

    /// <summary>The socket, or null for a connection over a plugin's stream.</summary>
    private protected Socket? Socket { get; }

    private protected Stream Stream { get; set; }

    private protected OutboundBuffer Out { get; set; }

    private protected FlushBatch Batch { get; } = new();

    private protected abstract ILogger Log { get; }

    /// <summary>Runs the connection to its end: negotiation, then the read loop.</summary>
    internal async Task RunAsync()
    {
        try
        {
            if (!await NegotiateAsync().ConfigureAwait(false))
            {
                return;
            }
            StartWriter();
            OnStarted();
            await ReadLoopAsync().ConfigureAwait(false);
            Close(ClosedReason.ClientClosed);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close(IsClosed ? CloseReason : ClosedReason.ReadError);
        }
        catch (Exception ex)
        {
            Logging.ConnectionLog.UnexpectedError(Log, ex, this);
            Close(ClosedReason.ReadError);
        }
    }

    /// <summary>Refuses the connection right after negotiation: <c>-ERR</c>, then close.</summary>
    internal async Task RejectAsync(string error, ClosedReason reason)
    {
        try
        {
            await NegotiateAsync().ConfigureAwait(false);
            StartWriter();
            Close(reason, error);
            await _writer!.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Close(reason);
        }
    }

    /// <summary>
    /// The first exchange (INFO, a TLS handshake…). Returns false when the connection must end.
    /// </summary>
    private protected abstract ValueTask<bool> NegotiateAsync();

    /// <summary>Called once the writer runs, before the first read (arm timers here).</summary>
    private protected virtual void OnStarted()
    {
    }

    /// <summary>Learns why the connection closes, before its transport goes; runs once.</summary>
    private protected virtual void OnClosing(ClosedReason reason, string? error)
    {
        // A plugin's transport learns why before it is disposed (a WebSocket's close frame says so).
        (Stream as IConnectionCloseAware)?.OnConnectionClosing(reason);
    }

    /// <summary>Releases what the connection holds (subscriptions, registrations); runs once.</summary>
    private protected abstract void OnClosed(ClosedReason reason);

    private void StartWriter()
    {
        _writer = RunWriterAsync();
    }

    private async Task RunWriterAsync()
    {
        try
        {
            if (!await Out.RunWriterAsync().ConfigureAwait(false))
            {
                CloseAfterWriteError();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            CloseAfterWriteError();
        }
        finally
        {
            // The writer ends last: after the final -ERR is out, the socket can go (and the
            // TLS session with it, which would otherwise wait for a finalizer).
            DisposeTransport();
            if (Tls is not null)
            {
                DisposeTlsStream();
            }
        }
    }

    // Once shutdown has begun, a write that fails is one of its effects (the peer saw this
    // server go, the transport went first): nats-server reports those closes as "Server
    // Shutdown", never as the write error they surface as.
    private void CloseAfterWriteError() =>
        Close(Server.ShutdownToken.IsCancellationRequested ? ClosedReason.ServerShutdown : ClosedReason.WriteError);

    // Its own method, reached only by TLS connections: naming SslStream in the writer loop made
    // the runtime load System.Net.Security for the first plain client (0.5 MB of an idle server).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void DisposeTlsStream() => (Stream as System.Net.Security.SslStream)?.Dispose();

    /// <summary>
    /// Closes the connection. With <paramref name="error"/> the peer first receives
    /// <c>-ERR '<paramref name="error"/>'</c>. Safe to call from any thread, more than once.
    /// </summary>
    public void Close(ClosedReason reason, string? error = null)
    {
        if (MarkClosed(reason))
        {
            TearDown(reason, error);
        }
    }

    /// <summary>
    /// Closes a connection that a producer's delivery found past max_pending: marked closed on
    /// the producer's thread, torn down (the log line, the socket, its subscriptions) on the
    /// thread pool, as nats-server's markConnAsClosed leaves closeConnection to the client's
    /// own write loop. The producer is a publisher's read loop in the middle of its fan-out:
    /// tearing down there held every healthy subscriber of the subject for 9-13 ms per slow
    /// consumer, the first "Slow Consumer Detected" line alone 9 ms (its logging path runs
    /// for the first time; docs/benchmarks.md, "The stuck subscriber's close"). Until the
    /// teardown runs, further appends to it fail at once (max_pending is still exceeded).
    /// </summary>
    private protected void CloseAsSlowConsumer()
    {
        if (MarkClosed(ClosedReason.SlowConsumerPendingBytes))
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                static connection => connection.TearDown(ClosedReason.SlowConsumerPendingBytes, null), this, preferLocal: false);
        }
    }

    /// <summary>Marks the connection closed; false when it already was.</summary>
    private bool MarkClosed(ClosedReason reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return false;
        }
        CloseReason = reason;
        StopTime = DateTime.UtcNow;
        return true;
    }

    /// <summary>Logs why, stops the output (after an -ERR when <paramref name="error"/> is set), lets go of the transport and releases what the connection holds.</summary>
    private void TearDown(ClosedReason reason, string? error)
    {
        Logging.ConnectionLog.Closing(Log, Server.LogLimits, this, reason, Out.MaxPending, Server.Options.WriteDeadline);
        OnClosing(reason, error);
        var drain = error is not null && reason != ClosedReason.SlowConsumerPendingBytes;
        if (drain)
        {
            var text = System.Text.Encoding.UTF8.GetBytes(error!);
            if (Server.TraceProtocol)
            {
                TraceSent([.. "-ERR '"u8, .. text, .. "'\r\n"u8]);
            }
            Out.Append("-ERR '"u8, text, "'\r\n"u8);
        }
        Out.Close(drain);
        Out.Flush();
        if (_writer is null || !drain)
        {
            // Unblock the reader (and a writer stuck on a dead peer) right away.
            try
            {
                Socket?.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
            DisposeTransport();
        }
        OnClosed(reason);
    }

    /// <summary>
    /// Queues a protocol line (CRLF included) for the peer. A peer that lets more than
    /// max_pending pile up is closed as a slow consumer.
    /// </summary>
    protected internal void Send(ReadOnlySpan<byte> line)
    {
        if (Server.TraceProtocol)
        {
            TraceSent(line);
        }
        if (Out.Append(line) == AppendResult.SlowConsumer)
        {
            CloseAsSlowConsumer();
        }
    }

    /// <summary>
    /// Traces a protocol line queued for the peer (<c>-V</c>); the kinds that trace what they
    /// send override it. Called only while <see cref="NatsServer.TraceProtocol"/> is on.
    /// </summary>
    private protected virtual void TraceSent(ReadOnlySpan<byte> data)
    {
    }

    /// <summary>Sends <c>-ERR 'text'</c> and keeps the connection open.</summary>
    protected internal virtual void SendError(string text)
    {
        Send(System.Text.Encoding.UTF8.GetBytes($"-ERR '{text}'\r\n"));
    }

    /// <inheritdoc />
    public override string ToString() => LogPrefix is null ? $"{RemoteEndPoint} - cid:{Id}" : $"{LogPrefix} - {RemoteEndPoint} - cid:{Id}";

    /// <summary>Put before the connection in logs (a plugin listener's prefix); null for none.</summary>
    protected virtual string? LogPrefix => null;

    /// <summary>Lets go of the socket, or of a plugin's stream (which is how its reads end).</summary>
    private protected void DisposeTransport()
    {
        if (Socket is not null)
        {
            Socket.Dispose();
            return;
        }
        try
        {
            Stream.Dispose();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private protected static IPEndPoint? Unmapped(IPEndPoint? endpoint) =>
        endpoint is { Address.IsIPv4MappedToIPv6: true } ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}
