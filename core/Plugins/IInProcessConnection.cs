using Nats.Core.Accounts;

namespace Nats.Core.Plugins;

/// <summary>A message received on an in-process connection (copied; safe to keep).</summary>
/// <param name="Subject">The subject.</param>
/// <param name="Reply">The reply subject, or null.</param>
/// <param name="Headers">The header block (<c>NATS/1.0…</c>), empty when none.</param>
/// <param name="Payload">The payload.</param>
public sealed record InProcessMessage(string Subject, string? Reply, ReadOnlyMemory<byte> Headers, ReadOnlyMemory<byte> Payload);

/// <summary>
/// A client connection inside the server process: plugins publish and subscribe through it
/// exactly as network clients do (interest propagates to routes, permissions and imports
/// apply), which is how plugins reach each other without referencing each other's code.
/// Handlers run one message at a time per subscription, off the publisher's thread.
/// Disposing the connection removes its subscriptions and completes once the handlers that
/// are running have returned.
/// </summary>
public interface IInProcessConnection : IAsyncDisposable
{
    /// <summary>The account the connection is in.</summary>
    Account Account { get; }

    /// <summary>Subscribes; dispose the result to unsubscribe.</summary>
    IDisposable Subscribe(string subject, string? queue, Func<InProcessMessage, ValueTask> handler);

    /// <summary>Publishes a message.</summary>
    void Publish(string subject, ReadOnlySpan<byte> payload, string? reply = null, ReadOnlySpan<byte> headers = default);

    /// <summary>Sends a request and waits for the first reply.</summary>
    /// <exception cref="TimeoutException">No reply within <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">Nobody is subscribed to <paramref name="subject"/> (no responders).</exception>
    Task<InProcessMessage> RequestAsync(string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default);
}
