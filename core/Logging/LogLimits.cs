namespace Nats.Core.Logging;

/// <summary>
/// One rate limit per kind of line that a misbehaving peer (or many) can repeat at will: a
/// flood of bad clients, a stuck subscriber, a route dialling with the wrong cluster name
/// every second. Each kind gets <see cref="LinesPerSecond"/> lines a second across the
/// server, so one flood neither fills the disk nor hides the other kinds.
/// </summary>
internal sealed class LogLimits
{
    /// <summary>Lines of one kind written per second at most.</summary>
    public const int LinesPerSecond = 10;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>Parser errors: garbage, oversized payloads, bad arguments.</summary>
    public LogRateLimiter ProtocolErrors { get; } = new("protocol error", LinesPerSecond, Window);

    /// <summary>Refused credentials.</summary>
    public LogRateLimiter AuthFailures { get; } = new("authentication error", LinesPerSecond, Window);

    /// <summary>Connections closed for max_pending or the write deadline.</summary>
    public LogRateLimiter SlowConsumers { get; } = new("slow consumer", LinesPerSecond, Window);

    /// <summary>Connections that stopped answering PINGs.</summary>
    public LogRateLimiter StaleConnections { get; } = new("stale connection", LinesPerSecond, Window);

    /// <summary>Clients refused by max_connections.</summary>
    public LogRateLimiter MaxConnections { get; } = new("maximum connections exceeded", LinesPerSecond, Window);

    /// <summary>Failed TLS handshakes (clients, probes, links).</summary>
    public LogRateLimiter TlsHandshakes { get; } = new("TLS handshake error", LinesPerSecond, Window);

    /// <summary>Routes refused for their cluster name or credentials, and -ERR received from routes.</summary>
    public LogRateLimiter RouteErrors { get; } = new("route error", LinesPerSecond, Window);

    /// <summary>Heartbeat ticks that overran their period (an overloaded server would say so every tick).</summary>
    public LogRateLimiter SlowHeartbeats { get; } = new("slow heartbeat", 1, Window);

    /// <summary>The "Router connection closed" lines of routes refused for their cluster name.</summary>
    public LogRateLimiter RouteConflictCloses { get; } = new("route closed for its cluster name", LinesPerSecond, Window);
}
