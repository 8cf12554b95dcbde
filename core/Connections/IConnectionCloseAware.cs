namespace Nats.Core.Connections;

/// <summary>
/// A transport a plugin hands to <see cref="NatsServer.ServeClientAsync"/> that wants to know
/// why its connection ends before the kernel disposes it, so its own goodbye can say so (a
/// WebSocket's close frame carries nats-server's status and reason text, such as 1008
/// "Authentication Failure"). The kernel calls it once, as the connection closes and before
/// the stream is disposed (after any final <c>-ERR</c> is queued, which may still be going out).
/// </summary>
/// <example>
/// <code>
/// public sealed class MyStream : Stream, IConnectionCloseAware
/// {
///     private ClosedReason? _reason;
///     public void OnConnectionClosing(ClosedReason reason) => _reason = reason;
///     // Dispose sends a goodbye naming _reason.
/// }
/// </code>
/// </example>
public interface IConnectionCloseAware
{
    /// <summary>
    /// The connection is closing for <paramref name="reason"/>. Must not block or write: a
    /// writer may still be draining; the stream's own disposal is where the goodbye goes out.
    /// </summary>
    void OnConnectionClosing(ClosedReason reason);
}
