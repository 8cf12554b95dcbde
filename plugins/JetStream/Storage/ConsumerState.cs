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
    public ulong DeliveredConsumer;
    public ulong DeliveredStream;
    public ulong AckFloorConsumer;
    public ulong AckFloorStream;

    /// <summary>Stream sequence → delivery (explicit and all ack policies).</summary>
    public Dictionary<ulong, PendingDelivery> Pending { get; } = [];

    /// <summary>Stream sequence → times delivered, for messages delivered more than once.</summary>
    public Dictionary<ulong, ulong> Redelivered { get; } = [];

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
