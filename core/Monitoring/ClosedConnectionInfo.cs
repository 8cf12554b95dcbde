using Nats.Core.Connections;

namespace Nats.Core.Monitoring;

/// <summary>
/// What is kept of a client connection after it closed, for <c>/connz?state=closed</c>: its
/// <c>/connz</c> entry as of the moment it closed, and what filters and options need.
/// </summary>
public sealed record ClosedConnectionInfo
{
    /// <summary>The connection's <c>/connz</c> entry at close (uptime and idle measured to the stop time).</summary>
    public required ConnInfo Info { get; init; }

    /// <summary>The connection id.</summary>
    public ulong Id => Info.Cid;

    /// <summary>The account the connection was bound to.</summary>
    public string? Account { get; init; }

    /// <summary>The authenticated user, if any.</summary>
    public string? User { get; init; }

    /// <summary>The subscriptions held at close (with their account, as nats-server keeps them).</summary>
    public IReadOnlyList<SubDetail> Subscriptions { get; init; } = [];

    internal TlsConnectionInfo? Tls { get; init; }

    /// <summary>Snapshots a closed connection.</summary>
    public static ClosedConnectionInfo From(ClientConnection c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var stop = c.StopTime ?? DateTime.UtcNow;
        var info = ConnInfoBuilder.Build(c, stop);
        info.Stop = stop;
        info.Reason = c.CloseReason.ToDisplayString();
        var account = c.Account.Name;
        var subscriptions = c.ClosedSubscriptions;
        info.NumSubs = (uint)subscriptions.Length;
        return new ClosedConnectionInfo
        {
            Info = info,
            Account = account,
            User = c.User,
            Subscriptions = [.. subscriptions.Select(s => SubDetail.From(s, c.Id, account))],
            Tls = c.Tls,
        };
    }

    /// <summary>Snapshots a closed listed link (a leaf node, which nats-server keeps with closed clients).</summary>
    internal static ClosedConnectionInfo From(ListedLink listed)
    {
        var link = listed.Link;
        var stop = link.StopTime ?? DateTime.UtcNow;
        var info = ConnInfoBuilder.Build(listed, stop);
        info.Stop = stop;
        info.Reason = link.CloseReason.ToDisplayString();
        return new ClosedConnectionInfo
        {
            Info = info,
            Account = listed.Account.Name,
            Subscriptions = [.. listed.Listing.Subjects().Select(s => new SubDetail { Subject = s, Account = listed.Account.Name, Cid = link.Id })],
            Tls = link.Tls,
        };
    }
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
