using Nats.Core.Subjects;

namespace Nats.Core.Connections;

/// <summary>
/// Takes the deliveries of a client whose protocol a plugin speaks (MQTT) in place of the
/// client's stream, so they are encoded once, in that protocol, instead of as <c>MSG</c> lines
/// the plugin parses again (<see cref="ClientConnection.SetDeliveryTarget"/>).
/// </summary>
/// <remarks>
/// Runs on the publisher's thread inside its flush batch, as <see cref="IMessageSink.Deliver"/>:
/// it must not block, must copy what it keeps, and should enlist its output with
/// <see cref="FlushBatch.Enlist"/> so it is flushed once per batch.
/// </remarks>
public interface IClientDeliveryTarget
{
    /// <summary>
    /// One message for the client's subscription <paramref name="sid"/>, after the kernel's
    /// permission and auto-unsubscribe checks.
    /// </summary>
    /// <returns>False when not taken (a queue group then offers it to another member).</returns>
    bool Deliver(ReadOnlySpan<byte> sid, in MessageView message);
}
