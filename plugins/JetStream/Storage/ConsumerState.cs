namespace Nats.JetStream.Storage;

/// <summary>A delivered, unacknowledged message: its consumer sequence and when it was delivered.</summary>
public readonly record struct PendingDelivery(ulong ConsumerSeq, long Timestamp);

/// <summary>
/// What a consumer must remember across restarts: the last delivered and the ack floor (consumer
/// and stream sequences), the pending deliveries and the redelivery counts. Owned by the consumer
/// engine under its lock; a store keeps an encoded copy.
/// </summary>
public sealed class ConsumerState
{
    /// <summary>The last consumer sequence delivered.</summary>
    public ulong DeliveredConsumer;

    /// <summary>The stream sequence of the last message delivered.</summary>
    public ulong DeliveredStream;

    /// <summary>Every consumer sequence up to this one is acknowledged.</summary>
    public ulong AckFloorConsumer;

    /// <summary>The stream sequence matching <see cref="AckFloorConsumer"/>.</summary>
    public ulong AckFloorStream;

    /// <summary>Stream sequence → delivery (explicit and all ack policies).</summary>
    public Dictionary<ulong, PendingDelivery> Pending { get; } = [];

    /// <summary>Stream sequence → times delivered, for messages delivered more than once.</summary>
    public Dictionary<ulong, ulong> Redelivered { get; } = [];

    /// <summary>A deep copy (pending and redelivery maps copied).</summary>
    public ConsumerState Clone()
    {
        var copy = new ConsumerState
        {
            DeliveredConsumer = DeliveredConsumer,
            DeliveredStream = DeliveredStream,
            AckFloorConsumer = AckFloorConsumer,
            AckFloorStream = AckFloorStream,
        };
        foreach (var (k, v) in Pending)
        {
            copy.Pending[k] = v;
        }
        foreach (var (k, v) in Redelivered)
        {
            copy.Redelivered[k] = v;
        }
        return copy;
    }
}
