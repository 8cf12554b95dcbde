namespace Nats.Core.Subjects;

/// <summary>
/// Anything that receives messages: client connections, routes, links of plugins, in-process
/// clients, stream capture. The kernel delivers every message through this one method.
/// </summary>
/// <remarks>
/// <see cref="Deliver"/> runs on the publisher's thread, inside its read batch. It must not
/// block and must copy what it keeps: the spans point into the publisher's receive buffer.
/// A sink that buffers output should register itself with <see cref="Connections.FlushBatch"/> so it is
/// flushed once at the end of the batch, not once per message.
/// </remarks>
public interface IMessageSink
{
    /// <summary>Delivers one message that matched <paramref name="subscription"/>.</summary>
    /// <returns>
    /// False when the sink declined it (subscription closed, a permission filter, an
    /// auto-unsubscribe limit reached): a queue group then offers it to another member.
    /// </returns>
    bool Deliver(Subscription subscription, in MessageView message);

    /// <summary>
    /// Delivers one message that is routed on <paramref name="routedSubject"/> while subscribers
    /// see its own subject (a JetStream delivery to a push consumer's deliver subject). A sink
    /// that passes messages on by subject (a stream import) matches on
    /// <paramref name="routedSubject"/>; every other sink delivers it as <see cref="Deliver"/> does,
    /// which is what this default does.
    /// </summary>
    /// <returns>As <see cref="Deliver"/>.</returns>
    bool DeliverRouted(Subscription subscription, in MessageView message, ReadOnlySpan<byte> routedSubject) =>
        Deliver(subscription, message);
}

/// <summary>A message as it passes through the kernel: views into the publisher's buffer.</summary>
public readonly ref struct MessageView
{
    /// <summary>Creates a view.</summary>
    public MessageView(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        Subject = subject;
        Reply = reply;
        Headers = headers;
        Payload = payload;
    }

    /// <summary>The subject the message was published to (after any import mapping).</summary>
    public ReadOnlySpan<byte> Subject { get; }

    /// <summary>The reply subject, empty when none.</summary>
    public ReadOnlySpan<byte> Reply { get; }

    /// <summary>The header block (<c>NATS/1.0…\r\n\r\n</c>), empty when the message has none.</summary>
    public ReadOnlySpan<byte> Headers { get; }

    /// <summary>The payload.</summary>
    public ReadOnlySpan<byte> Payload { get; }
}
