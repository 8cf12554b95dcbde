using Nats.Core.Connections;

namespace Nats.Core.Monitoring;

/// <summary>Server-wide message counters (what <c>/varz</c> reports).</summary>
public sealed class ServerStatistics
{
    private long _inMessages;
    private long _inBytes;
    private long _closedOutMessages;
    private long _closedOutBytes;
    private long _slowConsumers;
    private long _staleConnections;
    private long _totalConnections;

    /// <summary>Messages received from clients and links.</summary>
    public long InMessages => Interlocked.Read(ref _inMessages);

    /// <summary>Payload bytes received.</summary>
    public long InBytes => Interlocked.Read(ref _inBytes);

    /// <summary>
    /// Messages sent by connections that have closed. Live connections count their own
    /// deliveries (no shared counter on the hot path); totals add the two.
    /// </summary>
    public long ClosedOutMessages => Interlocked.Read(ref _closedOutMessages);

    /// <summary>Payload bytes sent by connections that have closed.</summary>
    public long ClosedOutBytes => Interlocked.Read(ref _closedOutBytes);

    /// <summary>Client connections closed as slow consumers (pending bytes or write deadline).</summary>
    public long SlowConsumers => Interlocked.Read(ref _slowConsumers);

    /// <summary>Client connections closed as stale (unanswered PINGs).</summary>
    public long StaleConnections => Interlocked.Read(ref _staleConnections);

    /// <summary>Client connections accepted since start.</summary>
    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    internal void CountIn(long messages, long bytes)
    {
        Interlocked.Add(ref _inMessages, messages);
        Interlocked.Add(ref _inBytes, bytes);
    }

    /// <summary>
    /// Folds a closed connection into the totals: its deliveries, and whether it was a slow
    /// consumer or stale. Counting by close reason counts each connection once, however
    /// many deliveries found it slow at the same moment.
    /// </summary>
    internal void OnConnectionClosed(ClientConnection connection)
    {
        Interlocked.Add(ref _closedOutMessages, connection.OutMessages);
        Interlocked.Add(ref _closedOutBytes, connection.OutBytes);
        switch (connection.CloseReason)
        {
            case ClosedReason.SlowConsumerPendingBytes:
            case ClosedReason.SlowConsumerWriteDeadline:
                Interlocked.Increment(ref _slowConsumers);
                break;
            case ClosedReason.StaleConnection:
                Interlocked.Increment(ref _staleConnections);
                break;
        }
    }

    internal void CountConnection() => Interlocked.Increment(ref _totalConnections);
}
