using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Core.Protocol;
using Nats.Core.Subjects;

namespace Nats.Core.Connections;

/// <summary>
/// One client connection: reads and executes the client protocol, and receives the
/// messages that match its subscriptions. The read side runs on one task; deliveries from
/// publishers on other connections land in its <see cref="OutboundBuffer"/>.
/// </summary>
/// <remarks>Split by concern: reading (.Reading.cs), operations (.Operations.cs),
/// CONNECT and auth (.Connect.cs), delivery (.Delivery.cs), timers (.Timers.cs).</remarks>
public sealed partial class ClientConnection : IMessageSink
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private readonly NatsServer _server;
    private readonly Socket _socket;
    private Stream _stream;
    private OutboundBuffer _out;
    private readonly FlushBatch _batch = new();
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private int _closed;
    private Task? _writer;

    internal ClientConnection(NatsServer server, Socket socket, Stream stream, ulong id, ConnectionKind kind)
    {
        _server = server;
        _socket = socket;
        _stream = stream;
        Id = id;
        Kind = kind;
        StartTime = DateTime.UtcNow;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
        LocalEndPoint = socket.LocalEndPoint as IPEndPoint;
        _out = new OutboundBuffer(stream, server.Options.MaxPending);
        Account = server.Accounts.Global;
        _matchCache = new SublistMatchCache(Account.Sublist);
        _lastActivityTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>The server-assigned connection id (<c>cid</c>).</summary>
    public ulong Id { get; }

    /// <summary>What kind of connection this is.</summary>
    public ConnectionKind Kind { get; }

    /// <summary>When the connection was accepted.</summary>
    public DateTime StartTime { get; }

    /// <summary>The peer's address.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Our side's address.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    /// <summary>The CONNECT options in force (nats-server's defaults until CONNECT arrives).</summary>
    public ConnectOptions Options { get; private set; } = ConnectOptions.Default;

    /// <summary>The account the connection is bound to.</summary>
    public Account Account { get; private set; }

    /// <summary>The authenticated user's label, if any.</summary>
    public string? User { get; private set; }

    /// <summary>Why the connection closed, or <see cref="ClosedReason.None"/> while open.</summary>
    public ClosedReason CloseReason { get; private set; }

    /// <summary>When the connection closed.</summary>
    public DateTime? StopTime { get; private set; }

    /// <summary>True once closed.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Bytes queued for this client and not yet written.</summary>
    public long PendingBytes => _out.PendingBytes;

    /// <summary>TLS details once a handshake completed (null for plain connections).</summary>
    public TlsConnectionInfo? Tls { get; private set; }

    /// <summary>Number of subscriptions.</summary>
    public int SubscriptionCount
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>A snapshot of the subscriptions.</summary>
    public Subscription[] GetSubscriptions()
    {
        lock (_subscriptions)
        {
            return [.. _subscriptions.Values];
        }
    }

    internal ILogger Log => _server.ClientLogger;

    /// <summary>Runs the connection to its end: INFO, then the read loop.</summary>
    internal async Task RunAsync()
    {
        try
        {
            if (!await NegotiateTransportAsync().ConfigureAwait(false))
            {
                return;
            }
            _writer = RunWriterAsync();
            ArmAuthTimer();
            await ReadLoopAsync().ConfigureAwait(false);
            Close(ClosedReason.ClientClosed);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close(IsClosed ? CloseReason : ClosedReason.ReadError);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "{Connection} unexpected error", this);
            Close(ClosedReason.ReadError);
        }
    }

    private async Task RunWriterAsync()
    {
        try
        {
            await _out.RunWriterAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close(ClosedReason.WriteError);
        }
        finally
        {
            // The writer ends last: after the final -ERR is out, the socket can go.
            _socket.Dispose();
        }
    }

    /// <summary>
    /// Closes the connection. With <paramref name="error"/> the peer first receives
    /// <c>-ERR '<paramref name="error"/>'</c>. Safe to call from any thread, more than once.
    /// </summary>
    internal void Close(ClosedReason reason, string? error = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        CloseReason = reason;
        StopTime = DateTime.UtcNow;
        var drain = error is not null;
        if (drain)
        {
            _out.Append("-ERR '"u8, System.Text.Encoding.UTF8.GetBytes(error!), "'\r\n"u8);
        }
        _out.Close(drain && reason != ClosedReason.SlowConsumerPendingBytes);
        _out.Flush();
        if (_writer is null)
        {
            _socket.Dispose();
        }
        else if (!drain)
        {
            // Unblock the reader (and a writer stuck on a dead peer) right away.
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
            _socket.Dispose();
        }
        RemoveAllSubscriptions();
        if (_accountBound)
        {
            Account.RemoveConnection();
        }
        if (reason is not (ClosedReason.ClientClosed or ClosedReason.ServerShutdown))
        {
            Log.LogDebug("{Connection} closed: {Reason}", this, reason.ToDisplayString());
        }
        _server.OnConnectionClosed(this);
    }

    /// <summary>Refuses the connection right after INFO: <c>-ERR</c>, then close.</summary>
    internal async Task RejectAsync(string error, ClosedReason reason)
    {
        try
        {
            await NegotiateTransportAsync().ConfigureAwait(false);
            _writer = RunWriterAsync();
            Close(reason, error);
            await _writer.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Close(reason);
        }
    }

    /// <summary>Queues a protocol line for the peer (PONG, +OK, INFO…).</summary>
    internal void Send(ReadOnlySpan<byte> line)
    {
        if (_out.Append(line) == AppendResult.SlowConsumer)
        {
            Close(ClosedReason.SlowConsumerPendingBytes);
        }
    }

    /// <summary>Sends <c>-ERR 'text'</c> and keeps the connection open.</summary>
    internal void SendError(string text)
    {
        Send(System.Text.Encoding.UTF8.GetBytes($"-ERR '{text}'\r\n"));
    }

    /// <inheritdoc />
    public override string ToString() => $"{RemoteEndPoint} - cid:{Id}";
}
