namespace Nats.Core.Monitoring;

/// <summary>Which connections <c>/connz</c> lists, nats-server's <c>ConnState</c>.</summary>
public enum ConnState
{
    /// <summary>Open connections (the default).</summary>
    Open,

    /// <summary>Recently closed connections.</summary>
    Closed,

    /// <summary>Both.</summary>
    All,
}

/// <summary>How <c>/connz</c> sorts; only <c>cid</c>/<c>start</c>, <c>uptime</c> and <c>reason</c> ascend.</summary>
public enum ConnzSort
{
    Cid,
    Start,
    Subs,
    Pending,
    MsgsTo,
    MsgsFrom,
    BytesTo,
    BytesFrom,
    Last,
    Idle,
    Uptime,
    Stop,
    Reason,
    Rtt,
}

/// <summary>The query of <c>/connz</c>.</summary>
public sealed class ConnzOptions
{
    /// <summary>nats-server's default page size.</summary>
    public const int DefaultLimit = 1024;

    public ConnzSort Sort { get; set; }
    /// <summary><c>auth</c>: include user and account.</summary>
    public bool Auth { get; set; }
    /// <summary><c>subs=true</c>: include subjects.</summary>
    public bool Subscriptions { get; set; }
    /// <summary><c>subs=detail</c>: include subscription details.</summary>
    public bool SubscriptionsDetail { get; set; }
    public int Offset { get; set; }
    public int Limit { get; set; } = DefaultLimit;
    /// <summary>Just this connection id (0 for all).</summary>
    public ulong Cid { get; set; }
    public ConnState State { get; set; }
    /// <summary>Only this user's connections.</summary>
    public string? User { get; set; }
    /// <summary>Only this account's connections.</summary>
    public string? Account { get; set; }

    /// <summary>Reads the query, refusing what nats-server refuses with its wording.</summary>
    /// <exception cref="MonitoringException">A bad parameter.</exception>
    public static ConnzOptions Parse(MonitoringRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sortText = request.Get("sort");
        var auth = request.GetBool("auth");
        var detail = string.Equals(request.Get("subs"), "detail", StringComparison.OrdinalIgnoreCase);
        var subs = !detail && request.GetBool("subs");
        var offset = request.GetInt("offset");
        var limit = request.GetInt("limit");
        var cid = request.GetUInt64("cid");
        var state = ParseState(request.Get("state"));
        // nats-server decodes every parameter first and checks the sort option last.
        var sort = ParseSort(sortText);
        if (sort == ConnzSort.Stop && state != ConnState.Closed)
        {
            throw new MonitoringException("sort by stop only valid on closed connections");
        }
        if (sort == ConnzSort.Reason && state != ConnState.Closed)
        {
            throw new MonitoringException("sort by reason only valid on closed connections");
        }
        return new ConnzOptions
        {
            Sort = sort,
            Auth = auth,
            Subscriptions = subs,
            SubscriptionsDetail = detail,
            Offset = Math.Max(offset, 0),
            Limit = cid > 0 ? 1 : limit <= 0 ? DefaultLimit : limit,
            Cid = cid,
            State = state,
            User = request.Get("user"),
            Account = request.Get("acc"),
        };
    }

    private static ConnState ParseState(string? text) => text?.ToLowerInvariant() switch
    {
        null or "open" => ConnState.Open,
        "closed" => ConnState.Closed,
        "any" or "all" => ConnState.All,
        _ => throw new MonitoringException($"Error decoding state for {text}"),
    };

    private static ConnzSort ParseSort(string? text) => text switch
    {
        null or "cid" => ConnzSort.Cid,
        "start" => ConnzSort.Start,
        "subs" => ConnzSort.Subs,
        "pending" => ConnzSort.Pending,
        "msgs_to" => ConnzSort.MsgsTo,
        "msgs_from" => ConnzSort.MsgsFrom,
        "bytes_to" => ConnzSort.BytesTo,
        "bytes_from" => ConnzSort.BytesFrom,
        "last" => ConnzSort.Last,
        "idle" => ConnzSort.Idle,
        "uptime" => ConnzSort.Uptime,
        "stop" => ConnzSort.Stop,
        "reason" => ConnzSort.Reason,
        "rtt" => ConnzSort.Rtt,
        _ => throw new MonitoringException($"invalid sorting option: {text}"),
    };
}
