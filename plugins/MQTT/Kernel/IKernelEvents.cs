namespace Nats.Mqtt.Kernel;

/// <summary>What the kernel client sends the MQTT session, one call per protocol operation, on the kernel client's writer (see <see cref="KernelChannel"/>).</summary>
internal interface IKernelEvents
{
    /// <summary>A message for subscription <paramref name="sid"/>. The spans are valid during the call only.</summary>
    void OnMessage(ReadOnlySpan<byte> subject, long sid, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload);

    /// <summary>A PONG (the answer to the session's PING: everything before it was processed).</summary>
    void OnPong();

    /// <summary>An <c>-ERR</c> line (without <c>-ERR </c> and quotes).</summary>
    void OnError(string text);

    /// <summary>Everything read in one go was handed over: the session flushes what it wrote to its client.</summary>
    ValueTask OnBatchEndAsync();
}
