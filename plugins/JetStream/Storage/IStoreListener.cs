namespace Nats.JetStream.Storage;

/// <summary>
/// Told when appended messages become durable (their records are on disk, or, for a memory
/// store or a lazy sync mode, in the store): only then does a stream acknowledge a publish and
/// let consumers see the message. Called on the store's sync thread, one call per group commit,
/// so a caller acknowledges a whole batch at once.
/// </summary>
public interface IStoreListener
{
    /// <summary>Every message up to and including <paramref name="lastSeq"/> is durable.</summary>
    void MessagesDurable(ulong lastSeq);

    /// <summary>
    /// A write or sync failed: messages after <paramref name="lastDurableSeq"/> were not stored
    /// and the store went back to what is on disk. Their publishers get an error.
    /// </summary>
    void WriteFailed(ulong lastDurableSeq, Exception error);
}
