using Nats.Core.Connections;

namespace Nats.Core.Monitoring;

/// <summary>What is kept of a client connection after it closed, for <c>/connz?state=closed</c>.</summary>
public sealed record ClosedConnectionInfo
{
    public ulong Id { get; init; }
    public string? Ip { get; init; }
    public int Port { get; init; }
    public DateTime Start { get; init; }
    public DateTime Stop { get; init; }
    public DateTime LastActivity { get; init; }
    public TimeSpan Rtt { get; init; }
    public string Reason { get; init; } = "";
    public string? Name { get; init; }
    public string? Lang { get; init; }
    public string? Version { get; init; }
    public string? Account { get; init; }
    public string? User { get; init; }
    public long InMessages { get; init; }
    public long OutMessages { get; init; }
    public long InBytes { get; init; }
    public long OutBytes { get; init; }
    public IReadOnlyList<string> Subscriptions { get; init; } = [];

    /// <summary>Snapshots a closed connection.</summary>
    public static ClosedConnectionInfo From(ClientConnection c) => new()
    {
        Id = c.Id,
        Ip = c.RemoteEndPoint?.Address.ToString(),
        Port = c.RemoteEndPoint?.Port ?? 0,
        Start = c.StartTime,
        Stop = c.StopTime ?? DateTime.UtcNow,
        LastActivity = c.LastActivity,
        Rtt = c.Rtt,
        Reason = c.CloseReason.ToDisplayString(),
        Name = c.Options.Name,
        Lang = c.Options.Lang,
        Version = c.Options.Version,
        Account = c.Account.Name,
        User = c.User,
        InMessages = c.InMessages,
        OutMessages = c.OutMessages,
        InBytes = c.InBytes,
        OutBytes = c.OutBytes,
        Subscriptions = c.ClosedSubjects,
    };
}

/// <summary>A bounded ring of closed connections, oldest dropped first.</summary>
internal sealed class ClosedConnectionLog(int capacity)
{
    private readonly Queue<ClosedConnectionInfo> _entries = new();

    public void Add(ClosedConnectionInfo info)
    {
        lock (_entries)
        {
            if (_entries.Count == capacity)
            {
                _entries.Dequeue();
            }
            _entries.Enqueue(info);
        }
    }

    public IReadOnlyList<ClosedConnectionInfo> Snapshot()
    {
        lock (_entries)
        {
            return [.. _entries];
        }
    }
}
