using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Core.Logging;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// Registers the plugin that serves connections of <paramref name="kind"/> arriving over
    /// another plugin's transport: the WebSocket plugin accepts an upgrade whose path names a
    /// leaf node and hands the framed stream to whoever registered <see cref="ConnectionKind.Leaf"/>
    /// (<see cref="AcceptStreamAsync"/>). One acceptor per kind; dispose the result to withdraw it.
    /// </summary>
    /// <param name="kind">The kind served (<see cref="ConnectionKind.Leaf"/>, <see cref="ConnectionKind.Mqtt"/>…).</param>
    /// <param name="accept">
    /// Runs one connection to its end; it owns the stream (dispose it when done or refused).
    /// Called on the transport's accept task; exceptions are logged and the stream disposed.
    /// </param>
    /// <returns>A handle whose disposal unregisters this acceptor (and only this one).</returns>
    /// <exception cref="InvalidOperationException">Another acceptor already serves <paramref name="kind"/>.</exception>
    /// <example>
    /// <code>
    /// // Leafnode plugin, when it listens for leafs:
    /// _wsLeafs = server.RegisterStreamAcceptor(ConnectionKind.Leaf, accepted => RunAcceptedLeafAsync(accepted));
    /// // WebSocket plugin, for a /leafnode upgrade:
    /// if (!await server.AcceptStreamAsync(ConnectionKind.Leaf, new AcceptedStream(wsStream, remote) { Transport = "websocket" }))
    ///     await wsStream.DisposeAsync();   // nobody serves leafs: closed, as nats-server does
    /// </code>
    /// </example>
    public IDisposable RegisterStreamAcceptor(ConnectionKind kind, Func<AcceptedStream, Task> accept)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(accept);
        if (!_streamAcceptors.TryAdd(kind, accept))
        {
            throw new InvalidOperationException($"an acceptor for {kind} connections is already registered");
        }
        return new AcceptorRegistration(this, kind, accept);
    }

    /// <summary>Whether some plugin serves <paramref name="kind"/> (a transport may refuse before its upgrade when none does).</summary>
    public bool HasStreamAcceptor(ConnectionKind kind) => _streamAcceptors.ContainsKey(kind);

    /// <summary>
    /// Hands an accepted stream to the plugin registered for <paramref name="kind"/> and runs it
    /// to its end. Returns false at once, without touching the stream, when none is registered
    /// (the caller then closes it its own way); true once the acceptor completed.
    /// </summary>
    /// <param name="kind">What the connection is.</param>
    /// <param name="accepted">The stream and what the transport knows of the peer.</param>
    public async Task<bool> AcceptStreamAsync(ConnectionKind kind, AcceptedStream accepted)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(accepted);
        if (!_streamAcceptors.TryGetValue(kind, out var accept))
        {
            return false;
        }
        try
        {
            await accept(accepted).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The acceptor owns the stream, but one that failed may not have closed it.
            ConnectionLog.AcceptedStreamFailed(Logger, e, accepted.Transport, kind, accepted.Remote);
            await accepted.Stream.DisposeAsync().ConfigureAwait(false);
        }
        return true;
    }

    private sealed class AcceptorRegistration(NatsServer server, ConnectionKind kind, Func<AcceptedStream, Task> accept) : IDisposable
    {
        public void Dispose() =>
            server._streamAcceptors.TryRemove(new KeyValuePair<ConnectionKind, Func<AcceptedStream, Task>>(kind, accept));
    }
}
