namespace Nats.JetStream.Engine;

/// <summary>
/// How the engine reaches the outside world: every reply, pub ack, delivery and advisory is a
/// message published in the stream's account. Part 2 implements it on an in-process connection
/// (or a kernel sink); tests implement it with a list.
/// </summary>
public interface IJetStreamOutput
{
    void Publish(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload);
}
