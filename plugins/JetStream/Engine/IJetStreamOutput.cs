namespace Nats.JetStream.Engine;

/// <summary>
/// How the engine reaches the outside world: every reply, pub ack, delivery and advisory is a
/// message published in the stream's account. The wiring implements it on an in-process
/// connection (or a kernel sink); tests implement it with a list. Calls are made while the engine
/// holds a consumer's lock, so an implementation must queue and return, never call back into the
/// engine on the same thread.
/// </summary>
public interface IJetStreamOutput
{
    /// <summary>Publishes a message (a delivery, an advisory, an API reply) in the stream's account.</summary>
    void Publish(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload);

    /// <summary>
    /// A consumer delivers a stored message: routed to <paramref name="deliverTo"/> (the push
    /// deliver subject or the pull request's reply) while subscribers see the message's own
    /// <paramref name="subject"/>, as nats-server delivers it.
    /// </summary>
    void Deliver(string deliverTo, string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload);

    /// <summary>Whether anyone is subscribed to <paramref name="subject"/> (push consumers deliver only then; pull requests without interest are dropped).</summary>
    bool HasInterest(string subject);

    /// <summary>
    /// Starts a burst of output (a group commit's pub acks): an implementation may hold what it
    /// sends until <see cref="EndBatch"/>, so that a socket gets one write for the burst.
    /// Called on the same thread as the matching <see cref="EndBatch"/>.
    /// </summary>
    void BeginBatch()
    {
    }

    /// <summary>
    /// Subscribes in the account to <paramref name="subject"/> (a mirror or source following a
    /// stream of another account: API replies and deliveries reach it through the account's
    /// imports). <paramref name="handler"/> runs on the publisher's thread, possibly inside another
    /// output call: it must queue and return. Dispose the result to unsubscribe; null when this
    /// output cannot subscribe.
    /// </summary>
    IDisposable? Subscribe(string subject, InboundMessageHandler handler) => null;

    /// <summary>Ends the burst started by <see cref="BeginBatch"/>: sends what was held.</summary>
    void EndBatch()
    {
    }
}

/// <summary>A message reaching a subscription made with <see cref="IJetStreamOutput.Subscribe"/>.</summary>
public delegate void InboundMessageHandler(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload);
