using Nats.Core.Subjects;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// A stream: takes published messages (checks, headers, the store), acknowledges them once the
/// store says they are durable, and tells its consumers. Messages arrive through
/// <see cref="ProcessMessage"/> from whatever captured them; everything leaves through
/// <see cref="IJetStreamOutput"/>. Thread safety: <c>_gate</c> serializes the publish path so
/// header checks and the append are one step; acks go out on the store's sync thread.
/// </summary>
public sealed partial class JsStream : IStoreListener, IDisposable
{
    /// <summary>Subjects up to this many UTF-8 bytes (at most) are encoded on the stack.</summary>
    private const int StackSubject = 768;

    private readonly Lock _gate = new();
    private readonly IJetStreamOutput _output;
    private readonly PubAckWriter _acks;
    private readonly Dictionary<string, (ulong Seq, long Time)> _msgIds = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long Time)> _msgIdOrder = new();

    /// <summary>Publishes waiting for their message to be durable, in sequence order (owned by _ackGate).</summary>
    private readonly Queue<(ulong Seq, string Reply)> _pendingAcks = new();
    private readonly Lock _ackGate = new();
    /// <summary>Republished copies waiting for their message to be durable, in sequence order (owned by _ackGate).</summary>
    private readonly Queue<(ulong Seq, string Subject, byte[] Headers, byte[] Payload)> _pendingRepublish = new();
    private string? _lastMsgId;
    private StreamConfig _config;

    /// <summary>The config's republish transform, or null (owned by _gate).</summary>
    private Nats.Core.Subjects.SubjectTransform? _republish;

    /// <summary>The config's subject transform applied to incoming subjects, or null (owned by _gate).</summary>
    private Nats.Core.Subjects.SubjectTransform? _transform;

    /// <summary>A stream with <paramref name="config"/> over <paramref name="store"/>; what it publishes goes to <paramref name="output"/>.</summary>
    public JsStream(StreamConfig config, MessageStore store, IJetStreamOutput output, string? domain = null)
    {
        _config = config;
        _republish = RePublishTransform(config);
        _transform = SubjectTransform(config);
        Store = store;
        _output = output;
        _acks = new PubAckWriter(config.Name, domain);
        Domain = domain;
        store.SetListener(this);
    }

    /// <summary>The stream's name.</summary>
    public string Name => _config.Name;

    /// <summary>The stream's current config.</summary>
    public StreamConfig Config
    {
        get
        {
            lock (_gate)
            {
                return _config;
            }
        }
    }

    /// <summary>Where the stream keeps its messages.</summary>
    public MessageStore Store { get; }

    /// <summary>
    /// Interest retention: whether any consumer's filter takes a subject (set by the owner; called
    /// under the stream's lock, so it must not take locks that are held while calling into the stream).
    /// </summary>
    public Func<string, bool>? InterestIn { get; set; }

    /// <summary>Raised (on the sync thread) when messages up to a sequence became visible: consumers deliver.</summary>
    public event Action<ulong>? MessagesAvailable;

    /// <summary>The JetStream domain (pub acks and advisories carry it), or null.</summary>
    public string? Domain { get; }

    /// <summary>Applies a checked config (a stream update).</summary>
    public void Update(StreamConfig config)
    {
        lock (_gate)
        {
            _config = config;
            _republish = RePublishTransform(config);
            _transform = SubjectTransform(config);
        }
        Store.UpdateLimits(StreamConfigCheck.ToStoreLimits(config));
    }

    /// <summary>
    /// Stores a message published on one of the stream's subjects and answers <paramref name="reply"/>
    /// with a pub ack (once durable) or an error (at once), as nats-server does.
    /// </summary>
    public void ProcessMessage(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        JsError? error;
        lock (_gate)
        {
            // As nats-server: the stream's subject transform applies before anything else, so the
            // message is checked and stored under its new subject.
            if (_transform?.Match(subject) is { } transformed)
            {
                subject = transformed;
            }
            error = StoreLocked(subject, reply, headers, payload);
        }
        if (error is not null && reply is not null)
        {
            _output.Publish(reply, null, default, PubAckWriter.Error(_config.Name, error));
        }
    }

    private JsError? StoreLocked(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var cfg = _config;
        if (cfg.Sealed)
        {
            return JsErrors.StreamSealed;
        }
        if (cfg.MaxMsgSize > 0 && headers.Length + payload.Length > cfg.MaxMsgSize)
        {
            return JsErrors.StreamMessageExceedsMaximum;
        }
        string? msgId = null;
        string? rollup = null;
        long ttl = 0;
        if (headers.Length > 0)
        {
            if (NatsHeaders.Get(headers, NatsHeaders.ExpectedStream) is { } expected && expected != cfg.Name)
            {
                return JsErrors.StreamNotMatch;
            }
            msgId = NatsHeaders.Get(headers, NatsHeaders.MsgId);
            if (msgId is not null && IsDuplicateLocked(msgId, out var original))
            {
                if (reply is not null)
                {
                    SendAck(reply, original, duplicate: true);
                }
                return null;
            }
            if (NatsHeaders.Get(headers, NatsHeaders.ExpectedLastMsgId) is { } lastId && lastId != (_lastMsgId ?? ""))
            {
                return JsErrors.StreamWrongLastMsgID.With("id", _lastMsgId ?? "");
            }
            if (NatsHeaders.Get(headers, NatsHeaders.ExpectedLastSeq) is { } lastSeqText)
            {
                var last = Store.State().LastSeq;
                if (!ulong.TryParse(lastSeqText, out var expectedSeq) || expectedSeq != last)
                {
                    return JsErrors.StreamWrongLastSequence.With("seq", last);
                }
            }
            if (NatsHeaders.Get(headers, NatsHeaders.ExpectedLastSubjectSeq) is { } subjectSeqText)
            {
                var on = NatsHeaders.Get(headers, NatsHeaders.ExpectedLastSubjectSeqSubject) ?? subject;
                var message = new StoredMessage();
                var last = Store.LoadLast(SubjectFilter.Of(on), message, Store.State().LastSeq);
                if (!ulong.TryParse(subjectSeqText, out var expectedSeq) || expectedSeq != last)
                {
                    return JsErrors.StreamWrongLastSequence.With("seq", last);
                }
            }
            rollup = NatsHeaders.Get(headers, NatsHeaders.Rollup);
            if (rollup is not null)
            {
                if (!cfg.AllowRollup || cfg.DenyPurge)
                {
                    return JsErrors.StreamRollupFailedF.With("err", "rollup not permitted");
                }
                if (rollup is not ("sub" or "all"))
                {
                    return JsErrors.StreamRollupFailedF.With("err", $"rollup value invalid: \"{rollup}\"");
                }
            }
            if (NatsHeaders.Get(headers, NatsHeaders.Ttl) is { } ttlText)
            {
                if (!cfg.AllowMsgTtl)
                {
                    return JsErrors.MessageTTLDisabled;
                }
                if (!NatsHeaders.TryParseTtl(ttlText, out ttl))
                {
                    return JsErrors.MessageTTLInvalid;
                }
            }
        }
        if (Store.Usage is { } usage && ResourcesExceeded(usage, subject, headers, payload) is { } exceeded)
        {
            return exceeded;
        }
        ulong seq;
        long timestamp;
        StoreError result;
        if (cfg.Retention == RetentionPolicy.Interest && InterestIn is { } interested && !interested(subject))
        {
            // As nats-server: an interest stream acknowledges a message no consumer wants and does not keep it.
            seq = Store.SkipMsg();
            timestamp = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            result = seq == 0 ? StoreError.Closed : StoreError.None;
            rollup = null;
        }
        else
        {
            var republishTo = _republish?.Match(subject);
            var lastOfSubject = republishTo is null ? 0 : Store.LoadLast(SubjectFilter.Of(subject), new StoredMessage());
            // The subject's UTF-8 in scratch, not a new array per message: the store copies it into its block.
            using (var subjectBytes = new Utf8Scratch(subject, stackalloc byte[StackSubject]))
            {
                result = Store.Append(subjectBytes.Bytes, headers, payload, ttl, out seq, out timestamp, isRollupOrForced: rollup is not null);
            }
            if (result == StoreError.None && republishTo is not null)
            {
                QueueRepublish(republishTo, subject, seq, lastOfSubject, headers, payload, cfg.RePublish!.HeadersOnly);
            }
        }
        switch (result)
        {
            case StoreError.None:
                break;
            case StoreError.MaxMsgs:
                return JsErrors.StreamStoreFailedF.With("err", "maximum messages exceeded");
            case StoreError.MaxBytes:
                return JsErrors.StreamStoreFailedF.With("err", "maximum bytes exceeded");
            case StoreError.MaxMsgsPerSubject:
                return JsErrors.StreamStoreFailedF.With("err", "maximum messages per subject exceeded");
            case StoreError.MsgTooLarge:
                return JsErrors.StreamMessageExceedsMaximum;
            default:
                return JsErrors.StreamStoreFailedF.With("err", result == StoreError.Closed ? "store is closed" : "write failed");
        }
        if (msgId is not null)
        {
            RememberLocked(msgId, seq, timestamp);
            _lastMsgId = msgId;
        }
        if (reply is not null)
        {
            lock (_ackGate)
            {
                _pendingAcks.Enqueue((seq, reply));
            }
            // The store may have synced before the ack was queued: send what is already durable.
            if (Store.DurableSeq >= seq)
            {
                SendDurableAcks(Store.DurableSeq);
            }
        }
        if (rollup == "sub")
        {
            Store.PurgeEx(subject, seq, 0);
        }
        else if (rollup == "all")
        {
            Store.PurgeTo(seq);
        }
        return null;
    }

    private bool IsDuplicateLocked(string msgId, out ulong seq)
    {
        ExpireMsgIdsLocked();
        if (_msgIds.TryGetValue(msgId, out var entry))
        {
            seq = entry.Seq;
            return true;
        }
        seq = 0;
        return false;
    }

    private void RememberLocked(string msgId, ulong seq, long timestamp)
    {
        if (_config.DuplicateWindow <= 0)
        {
            return;
        }
        _msgIds[msgId] = (seq, timestamp);
        _msgIdOrder.Enqueue((msgId, timestamp));
    }

    private void ExpireMsgIdsLocked()
    {
        var cutoff = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100 - _config.DuplicateWindow;
        while (_msgIdOrder.TryPeek(out var oldest) && oldest.Time < cutoff)
        {
            _msgIdOrder.Dequeue();
            if (_msgIds.TryGetValue(oldest.Id, out var entry) && entry.Time == oldest.Time)
            {
                _msgIds.Remove(oldest.Id);
            }
        }
    }

    private void SendAck(string reply, ulong seq, bool duplicate)
    {
        lock (_ackGate)
        {
            _output.Publish(reply, null, default, _acks.Ack(seq, duplicate));
        }
    }

    /// <summary>The store made messages up to <paramref name="lastSeq"/> durable: acknowledge them all.</summary>
    public void MessagesDurable(ulong lastSeq)
    {
        _output.BeginBatch();
        try
        {
            SendDurableAcks(lastSeq);
        }
        finally
        {
            _output.EndBatch();
        }
        MessagesAvailable?.Invoke(lastSeq);
    }

    private void SendDurableAcks(ulong lastSeq)
    {
        lock (_ackGate)
        {
            while (_pendingRepublish.TryPeek(out var copy) && copy.Seq <= lastSeq)
            {
                _pendingRepublish.Dequeue();
                _output.Publish(copy.Subject, null, copy.Headers, copy.Payload);
            }
            while (_pendingAcks.TryPeek(out var pending) && pending.Seq <= lastSeq)
            {
                _pendingAcks.Dequeue();
                _output.Publish(pending.Reply, null, default, _acks.Ack(pending.Seq, duplicate: false));
            }
        }
    }

    /// <summary>The store lost writes after <paramref name="lastDurableSeq"/>: their publishers get an error.</summary>
    public void WriteFailed(ulong lastDurableSeq, Exception error)
    {
        var failed = PubAckWriter.Error(_config.Name, JsErrors.StreamStoreFailedF.With("err", error.Message));
        lock (_ackGate)
        {
            while (_pendingRepublish.TryDequeue(out var copy))
            {
                if (copy.Seq <= lastDurableSeq)
                {
                    _output.Publish(copy.Subject, null, copy.Headers, copy.Payload);
                }
            }
            while (_pendingAcks.TryDequeue(out var pending))
            {
                _output.Publish(pending.Reply, null, default, pending.Seq <= lastDurableSeq ? _acks.Ack(pending.Seq, false) : failed);
            }
        }
        lock (_gate)
        {
            // Sequences after the durable point will be used again: forget ids that named them.
            foreach (var id in _msgIds.Where(kv => kv.Value.Seq > lastDurableSeq).Select(kv => kv.Key).ToList())
            {
                _msgIds.Remove(id);
            }
        }
    }

    /// <summary>
    /// nats-server's resource checks after the message's expectations: the server over its
    /// <c>max_*_store</c> (10023, nothing stored), then the account over its <c>max_mem</c> /
    /// <c>max_file</c> with this message (10002). nats-server finds the latter after storing and
    /// removes the message, so its sequence is used: a skip keeps the same sequences here.
    /// </summary>
    private JsError? ResourcesExceeded(StorageUsage usage, string subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        if (usage.Parent is { Max: >= 0 } server && server.Used > server.Max)
        {
            return JsErrors.InsufficientResources;
        }
        if (usage.Max >= 0 && usage.Used + (long)Store.AccountedSize(System.Text.Encoding.UTF8.GetByteCount(subject), headers.Length, payload.Length) > usage.Max)
        {
            Store.SkipMsg();
            return JsErrors.AccountResourcesExceeded;
        }
        return null;
    }

    private static Nats.Core.Subjects.SubjectTransform? SubjectTransform(StreamConfig config) =>
        config.SubjectTransform is { Destination.Length: > 0 } t
            ? Nats.Core.Subjects.SubjectTransform.TryCreate(StreamConfigCheck.SourceOf(t), t.Destination, SubjectTransformRules.Mapping, out _)
            : null;

    private static Nats.Core.Subjects.SubjectTransform? RePublishTransform(StreamConfig config) =>
        config.RePublish is { } r ? Nats.Core.Subjects.SubjectTransform.TryCreate(r.Source, r.Destination, SubjectTransformRules.EveryWildcard, out _) : null;

    /// <summary>
    /// The republished copy of message <paramref name="seq"/> as nats-server 2.9 builds it: the
    /// message's headers plus <c>Nats-Stream</c>, <c>Nats-Subject</c>, <c>Nats-Sequence</c>,
    /// <c>Nats-Last-Sequence</c> (the subject's previous message) and, headers only, <c>Nats-Msg-Size</c>
    /// without the payload. It goes out with the pub acks, once the message is durable.
    /// </summary>
    private void QueueRepublish(string to, string subject, ulong seq, ulong lastOfSubject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, bool headersOnly)
    {
        var text = new System.Text.StringBuilder(128);
        if (headers.Length > 4)
        {
            // Everything but the blank line that ends the block.
            text.Append(System.Text.Encoding.UTF8.GetString(headers[..^2]));
        }
        else
        {
            text.Append("NATS/1.0\r\n");
        }
        text.Append("Nats-Stream: ").Append(_config.Name).Append("\r\n")
            .Append("Nats-Subject: ").Append(subject).Append("\r\n")
            .Append("Nats-Sequence: ").Append(seq).Append("\r\n")
            .Append("Nats-Last-Sequence: ").Append(lastOfSubject).Append("\r\n");
        if (headersOnly)
        {
            text.Append("Nats-Msg-Size: ").Append(payload.Length).Append("\r\n");
        }
        text.Append("\r\n");
        var copy = (seq, to, System.Text.Encoding.UTF8.GetBytes(text.ToString()), headersOnly ? [] : payload.ToArray());
        lock (_ackGate)
        {
            _pendingRepublish.Enqueue(copy);
        }
        if (Store.DurableSeq >= seq)
        {
            SendDurableAcks(Store.DurableSeq);
        }
    }

    /// <summary>Closes the stream's store, keeping what it stored.</summary>
    public void Dispose() => Store.Dispose();
}
