namespace Nats.Core.Connections;

/// <summary>
/// A transport stream (one a plugin hands to <see cref="NatsServer.ServeClientAsync"/> or a link
/// runs over) that takes a connection's queued output in one call: the kernel's writer then passes
/// each batch it sends (up to 1 MB, in several buffers) at once instead of one
/// <see cref="Stream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> per buffer, as it does
/// with a plain socket's gathered send. A WebSocket frames the batch as one message and writes it
/// with one system call, where a write per buffer was a frame and a system call each.
/// </summary>
/// <example>
/// <code>
/// public sealed class MyStream : Stream, IGatheredWriteStream
/// {
///     public async ValueTask WriteAsync(IReadOnlyList&lt;ArraySegment&lt;byte&gt;&gt; buffers, CancellationToken cancellationToken)
///     {
///         // copy the buffers behind one header, then one write to the transport
///     }
/// }
/// </code>
/// </example>
public interface IGatheredWriteStream
{
    /// <summary>
    /// Writes <paramref name="buffers"/> in order, as one unit. Called by the connection's single
    /// writer; the buffers are only valid until the returned task completes.
    /// </summary>
    ValueTask WriteAsync(IReadOnlyList<ArraySegment<byte>> buffers, CancellationToken cancellationToken = default);
}
