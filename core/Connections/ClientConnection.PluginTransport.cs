using Nats.Core.Subjects;

namespace Nats.Core.Connections;

/// <summary>
/// For plugins that speak a client's protocol themselves (MQTT) and stand for it with a kernel
/// client: publishes and deliveries skip the client protocol's text, which the plugin would
/// otherwise write and the kernel parse (and the other way round) for every message. Such a
/// client is best run without a stream at all (<see cref="NatsServer.OpenPluginClient"/>); over a
/// stream, everything else (CONNECT, SUB, UNSUB, PING) still goes over it.
/// </summary>
public sealed partial class ClientConnection
{
    /// <summary>
    /// Sends this client's deliveries to <paramref name="target"/> instead of its stream. Set it
    /// once, after CONNECT and before the first SUB.
    /// </summary>
    public void SetDeliveryTarget(IClientDeliveryTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _deliveryTarget = target;
    }

    /// <summary>
    /// Publishes for the client as if it had sent <c>HPUB subject</c> on its stream: account
    /// mappings, publish permissions (the client gets the same <c>-ERR</c>), reserved subjects,
    /// routing and the inbound counters. A payload over the client's max_payload closes the
    /// connection, as on the stream. Call it between <see cref="BeginPluginPublishes"/> and
    /// <see cref="EndPluginPublishesAsync"/>, from one thread at a time (it may run beside the
    /// connection's read loop).
    /// </summary>
    /// <returns>False when it was refused, or the connection is closed or not connected yet.</returns>
    public bool PublishFromPlugin(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload) =>
        PublishFromPlugin(subject, headers, payload, subjectMapped: false);

    /// <summary>
    /// As <see cref="PublishFromPlugin(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>;
    /// with <paramref name="subjectMapped"/> the plugin has applied the account's mappings itself
    /// (<see cref="Accounts.Account.MapSubject"/>), because it keeps the mapped subject for more
    /// than this publish (MQTT stores QoS 1/2 and retained messages under it, as nats-server maps
    /// in its MQTT parser), and the kernel does not map it again: a weighted mapping picks once.
    /// </summary>
    /// <returns>False when it was refused, or the connection is closed or not connected yet.</returns>
    public bool PublishFromPlugin(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, bool subjectMapped)
    {
        if (IsClosed || !_connectReceived)
        {
            return false;
        }
        var size = headers.Length + payload.Length;
        if (size > _limits.Payload(Server.Options.MaxPayload))
        {
            Close(ClosedReason.MaxPayloadExceeded, Protocol.ProtocolErrors.MaxPayload);
            return false;
        }
        var cache = _pluginMatchCache;
        if (cache is null || !ReferenceEquals(cache.Sublist, Account.Sublist))
        {
            // First use, or CONNECT bound another account.
            _pluginMatchCache = cache = new SublistMatchCache(Account.Sublist);
        }
        CountInbound(1, size);
        Account.CountIn(1, size);
        Server.Statistics.CountIn(1, size);
        return Route(subject, default, headers, payload, cache, applyMappings: !subjectMapped);
    }

    /// <summary>Starts a run of <see cref="PublishFromPlugin(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> calls: their deliveries are flushed together at the end.</summary>
    public void BeginPluginPublishes() => (_pluginBatch ??= new FlushBatch()).Begin();

    /// <summary>
    /// Ends the run: flushes the receivers written to and, as the read loop does after a batch,
    /// waits for those it pushed past their pressure threshold (not for a stuck one), which
    /// slows the publishing client down instead of dropping a slow subscriber.
    /// </summary>
    public ValueTask EndPluginPublishesAsync()
    {
        var batch = _pluginBatch ?? throw new InvalidOperationException("BeginPluginPublishes was not called");
        batch.End();
        return batch.HasPressure ? WaitForSlowConsumersAsync(batch) : ValueTask.CompletedTask;
    }
}
