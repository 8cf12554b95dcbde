using Nats.JetStream.Api;

namespace Nats.JetStream.Engine.Consumers;

/// <summary>
/// Pause (nats-server 2.11): until <c>pause_until</c> the consumer delivers nothing, neither new
/// messages nor redeliveries; pull requests are still taken and expire as usual, acks still count.
/// Set by the config (create, update) or <c>$JS.API.CONSUMER.PAUSE</c>; it ends by itself.
/// </summary>
public sealed partial class JsConsumer
{
    /// <summary>Monotonic ms until which nothing is delivered; 0: not paused (owned by _gate).</summary>
    private long _pauseUntilMs;

    private void ApplyPauseLocked(DateTime? until)
    {
        var remaining = until is { } u ? u.ToUniversalTime() - DateTime.UtcNow : TimeSpan.Zero;
        _pauseUntilMs = remaining > TimeSpan.Zero ? JsScheduler.Now + (long)Math.Ceiling(remaining.TotalMilliseconds) : 0;
    }

    /// <summary>Pauses until <paramref name="until"/> (null or past: resumes); returns the new config to persist.</summary>
    public ConsumerConfig Pause(DateTime? until)
    {
        ConsumerConfig config;
        lock (_gate)
        {
            // A new config object: readers that already hold the old one see a consistent value.
            config = ConsumerConfigCheck.Clone(Config);
            config.PauseUntil = until;
            Config = config;
            ApplyPauseLocked(until);
        }
        Kick();
        return config;
    }

    /// <summary>Whether the consumer is paused now, and for how much longer (ns).</summary>
    public (bool Paused, long RemainingNs) PauseState()
    {
        lock (_gate)
        {
            return PauseStateLocked(JsScheduler.Now);
        }
    }

    private (bool Paused, long RemainingNs) PauseStateLocked(long now) =>
        _pauseUntilMs > now && Config.PauseUntil is { } until
            ? (true, Math.Max(1, (until.ToUniversalTime() - DateTime.UtcNow).Ticks * 100))
            : (false, 0);
}
