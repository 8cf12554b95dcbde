using System.Text;
using Nats.Core.Protocol;

namespace Nats.Core.Connections;

/// <summary>
/// A client a plugin runs without a stream (<see cref="NatsServer.OpenPluginClient"/>): CONNECT,
/// SUB and UNSUB are calls, deliveries and errors go to its <see cref="IPluginClientHost"/>, and
/// no read loop, writer or outbound buffer runs for it, so an idle one holds little more than
/// its state and subscriptions. Publishes go through <see cref="PublishFromPlugin(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.
/// </summary>
/// <remarks>
/// The kernel's auth timer does not run for it: the plugin reads its own protocol's login and
/// owns that deadline (one deadline, not two racing), and the login itself is a call that
/// completes when authentication has. Nor do keep-alive PINGs: the plugin's protocol has its own.
/// </remarks>
public sealed partial class ClientConnection
{
    // The plugin running this client without a stream; null for every other client. Set once, at creation.
    private readonly IPluginClientHost? _pluginHost;

    // The -ERR text of the close (a plugin client's stream-less stand-in for the last line it
    // would have read): written once by the closing thread before OnClosed reports it.
    private string? _closeError;

    /// <summary>True for a client a plugin runs without a stream (<see cref="NatsServer.OpenPluginClient"/>).</summary>
    public bool IsPluginClient => _pluginHost is not null;

    /// <summary>
    /// Logs the client in, as its <c>CONNECT</c> would: <paramref name="connectJson"/> is the
    /// CONNECT JSON (<c>user</c>, <c>pass</c>, <c>auth_token</c>, <c>jwt</c>, <c>name</c>,
    /// <c>headers</c>…), authenticated as on the client port (the listener's authorization and
    /// no_auth_user first), then bound to its account (max_connections of the account apply).
    /// Completes when authentication has (a bcrypt check or an account resolver may take a while).
    /// </summary>
    /// <returns>Null when accepted; else the <c>-ERR</c> text the client would have received
    /// (nats-server's, <c>Authorization Violation</c> say), and the client is closed.</returns>
    /// <exception cref="InvalidOperationException">The client is not a plugin client.</exception>
    public ValueTask<string?> ConnectFromPluginAsync(ReadOnlySpan<byte> connectJson)
    {
        if (_pluginHost is null)
        {
            throw new InvalidOperationException("not a plugin client (NatsServer.OpenPluginClient)");
        }
        if (!IsClosed)
        {
            if (Server.TraceProtocol)
            {
                TraceReceived(ClientOp.Connect, [.. "CONNECT "u8, .. connectJson, .. "\r\n"u8]);
            }
            ProcessConnect(connectJson);
        }
        var pending = TakePendingOperation();
        return pending.IsCompletedSuccessfully ? ValueTask.FromResult(ConnectOutcome()) : AwaitConnectAsync(pending);
    }

    private async ValueTask<string?> AwaitConnectAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return ConnectOutcome();
    }

    private string? ConnectOutcome() => IsClosed ? _closeError ?? CloseReason.ToDisplayString() : null;

    /// <summary>
    /// Subscribes as <c>SUB subject [queue] sid</c> would: subject validity, subscribe
    /// permissions, max_subscriptions and subscription tokens apply; deliveries come to the
    /// host with <paramref name="sid"/>. A sid in use keeps its subscription (as on the stream).
    /// From one thread at a time.
    /// </summary>
    /// <param name="subject">The subject (wildcards allowed).</param>
    /// <param name="queue">The queue group, or empty.</param>
    /// <param name="sid">The subscription's id among this client's.</param>
    /// <returns>Null when subscribed (or closed meanwhile); else the <c>-ERR</c> text, nats-server's
    /// (<c>Permissions Violation for Subscription to "…"</c>, say).</returns>
    public string? SubscribeFromPlugin(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue, ReadOnlySpan<byte> sid)
    {
        if (Server.TraceProtocol)
        {
            TraceReceived(ClientOp.Sub, Encoding.UTF8.GetBytes($"SUB {Encoding.UTF8.GetString(subject)}{(queue.IsEmpty ? "" : " " + Encoding.UTF8.GetString(queue))} {Encoding.UTF8.GetString(sid)}\r\n"));
        }
        return _connectReceived ? TrySubscribe(subject, queue, sid) : ProtocolErrors.AuthorizationViolation;
    }

    /// <summary>Removes the subscription <paramref name="sid"/> as <c>UNSUB sid</c> would (nothing when there is none).</summary>
    public void UnsubscribeFromPlugin(ReadOnlySpan<byte> sid)
    {
        if (Server.TraceProtocol)
        {
            TraceReceived(ClientOp.Unsub, Encoding.UTF8.GetBytes($"UNSUB {Encoding.UTF8.GetString(sid)}\r\n"));
        }
        Unsubscribe(sid, 0);
    }
}
