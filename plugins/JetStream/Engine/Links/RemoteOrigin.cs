using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// An origin stream of another account (a mirror's or source's <c>external</c>), followed over
/// subjects as nats-server does: an ephemeral push consumer is created with
/// <c>&lt;external.api&gt;.CONSUMER.CREATE.&lt;stream&gt;</c> (ack none, flow control, idle
/// heartbeats, in memory, from where the link resumes), delivering to
/// <c>&lt;external.deliver&gt;.&lt;random&gt;</c>. The requests, replies, deliveries and flow
/// control answers cross accounts through the origin account's exports (<c>$JS.API.&gt;</c> or
/// its <c>CONSUMER.&gt;</c>, the delivery prefix as a stream, <c>$JS.FC.&gt;</c>) and this
/// account's imports; nothing here knows the other account. A gap in the consumer sequence, a
/// heartbeat saying more was sent than arrived, or three seconds without a message or heartbeat
/// replaces the consumer, resuming after what the link has copied.
/// Thread safety: <c>_gate</c> owns everything mutable; deliveries arrive on the origin's output
/// thread and only queue; requests are published outside the lock.
/// </summary>
internal sealed class RemoteOrigin : IOrigin
{
    private const long HeartbeatNanos = 1_000_000_000;
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private readonly IJetStreamOutput _output;              // immutable
    private readonly StreamSource _source;                  // immutable
    private readonly SubjectFilter _filter;                 // immutable
    private readonly Func<ulong> _resumeAt;                 // immutable; takes the link's lock: never called under _gate
    private readonly Queue<Delivered> _queue = new();       // under _gate: deliveries (and flow control requests) not yet read
    private Action? _available;                             // set once by Start
    private Timer? _timer;                                  // under _gate
    private IDisposable? _inbox;                            // under _gate: the current create request's reply subscription
    private IDisposable? _deliveries;                       // under _gate: the current consumer's deliver subject
    private int _generation;                                // under _gate: bumped at each consumer set-up
    private ulong _expectedConsumerSeq;                     // under _gate: the current consumer's next delivery
    private string? _consumer;                              // under _gate: the current consumer's name once known
    private long _lastContactTicks;                         // under _gate: last delivery, heartbeat or reply
    private long _setUpTicks;                               // under _gate: when the current consumer was asked for
    private bool _replace;                                  // under _gate: the current consumer is to be replaced
    private bool _closed;                                   // under _gate
    private ulong _lastSeq;                                 // under _gate: origin's last sequence as the last delivery told
    private int _settingUp;                                 // Interlocked: one set-up at a time

    public RemoteOrigin(IJetStreamOutput output, StreamSource source, SubjectFilter filter, Func<ulong> resumeAt)
    {
        _output = output;
        _source = source;
        _filter = filter;
        _resumeAt = resumeAt;
    }

    private sealed record Delivered(ulong Seq, long Timestamp, string Subject, byte[] Headers, byte[] Payload, string? FlowControlReply);

    /// <summary>The origin's API error when the consumer could not be set up (stream info shows it), else null.</summary>
    public ApiError? LastError { get; private set; }

    /// <summary>When the origin was last heard from (deliveries, heartbeats, replies), in ticks.</summary>
    public long LastContactTicks
    {
        get
        {
            lock (_gate)
            {
                return _lastContactTicks;
            }
        }
    }

    public ulong LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _lastSeq;
            }
        }
    }

    public ulong FirstSeq => 0;

    /// <summary>The remote consumer starts where asked (<see cref="SetUp"/>); what it sends first is the start.</summary>
    public ulong StartOf(StreamSource source) => 1;

    public ulong LoadNext(SubjectFilter filter, ulong next, StoredMessage into)
    {
        while (true)
        {
            Delivered? item;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out item))
                {
                    return 0;
                }
            }
            if (item.FlowControlReply is { } reply)
            {
                // Everything sent before the request is read: open the origin's window again.
                _output.Publish(reply, null, default, default);
                continue;
            }
            if (item.Seq < next)
            {
                continue; // a replaced consumer sent it again
            }
            into.Set(item.Seq, item.Timestamp, item.Subject, 0, item.Headers, item.Payload);
            return item.Seq;
        }
    }

    public void Start(Action available)
    {
        _available = available;
        lock (_gate)
        {
            _timer = new Timer(_ => Check(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Every second: sets the consumer up again when it is missing, failed or silent.</summary>
    private void Check()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            var now = DateTime.UtcNow.Ticks;
            var heard = Math.Max(_lastContactTicks, _setUpTicks);
            if (_setUpTicks != 0 && !_replace && now - heard < StallAfter.Ticks)
            {
                return;
            }
        }
        SetUp();
    }

    /// <summary>Drops the current consumer (if any) and asks the origin for a new one starting where the link resumes.</summary>
    private void SetUp()
    {
        if (Interlocked.Exchange(ref _settingUp, 1) != 0)
        {
            return;
        }
        try
        {
            var resume = _resumeAt();
            string? oldConsumer;
            int generation;
            string inbox, deliver;
            lock (_gate)
            {
                if (_closed)
                {
                    return;
                }
                oldConsumer = _consumer;
                _consumer = null;
                _inbox?.Dispose();
                _deliveries?.Dispose();
                generation = ++_generation;
                _expectedConsumerSeq = 1;
                _replace = false;
                _setUpTicks = DateTime.UtcNow.Ticks;
                var id = Guid.NewGuid().ToString("N");
                inbox = "_INBOX." + id;
                deliver = (string.IsNullOrEmpty(_source.External!.Deliver) ? "$JS.M" : _source.External.Deliver) + "." + id;
                _inbox = _output.Subscribe(inbox, (_, _, _, payload) => OnReply(generation, payload));
                _deliveries = _output.Subscribe(deliver, (subject, reply, headers, payload) => OnDelivery(generation, subject, reply, headers, payload));
            }
            var api = _source.External!.Api;
            if (oldConsumer is not null)
            {
                _output.Publish($"{api}.CONSUMER.DELETE.{_source.Name}.{oldConsumer}", null, default, default);
            }
            _output.Publish($"{api}.CONSUMER.CREATE.{_source.Name}", inbox, default, CreateRequest(deliver, resume));
        }
        finally
        {
            Volatile.Write(ref _settingUp, 0);
        }
    }

    private byte[] CreateRequest(string deliver, ulong resume)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("stream_name", _source.Name);
            w.WriteStartObject("config");
            w.WriteString("deliver_subject", deliver);
            if (resume > 0 || _source.OptStartSeq > 0)
            {
                w.WriteString("deliver_policy", "by_start_sequence");
                w.WriteNumber("opt_start_seq", resume > 0 ? resume : _source.OptStartSeq);
            }
            else if (_source.OptStartTime is { } time)
            {
                w.WriteString("deliver_policy", "by_start_time");
                w.WriteString("opt_start_time", time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteString("deliver_policy", "all");
            }
            w.WriteString("ack_policy", "none");
            w.WriteBoolean("flow_control", true);
            w.WriteNumber("idle_heartbeat", HeartbeatNanos);
            w.WriteBoolean("mem_storage", true);
            w.WriteNumber("num_replicas", 1);
            if (!_filter.MatchesAll)
            {
                if (_filter.Filters.Length == 1)
                {
                    w.WriteString("filter_subject", _filter.Filters[0]);
                }
                else
                {
                    w.WriteStartArray("filter_subjects");
                    foreach (var f in _filter.Filters)
                    {
                        w.WriteStringValue(f);
                    }
                    w.WriteEndArray();
                }
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private void OnReply(int generation, ReadOnlySpan<byte> payload)
    {
        string? name = null;
        ApiError? error = null;
        try
        {
            using var doc = JsonDocument.Parse(payload.ToArray());
            var root = doc.RootElement;
            if (root.TryGetProperty("error", out var e))
            {
                error = JsonSerializer.Deserialize(e.GetRawText(), JsJsonContext.Default.ApiError);
            }
            else if (root.TryGetProperty("name", out var n))
            {
                name = n.GetString();
            }
        }
        catch (JsonException)
        {
            error = new ApiError { Code = 500, Description = "invalid consumer create response" };
        }
        lock (_gate)
        {
            if (generation != _generation)
            {
                return;
            }
            _lastContactTicks = DateTime.UtcNow.Ticks;
            _consumer = name;
            LastError = error;
            if (error is not null)
            {
                // Try again at the next check after the stall time (the origin may appear later).
                _setUpTicks = DateTime.UtcNow.Ticks;
            }
        }
    }

    private void OnDelivery(int generation, string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var status = headers.StartsWith("NATS/1.0 100"u8);
        var ack = default(Consumers.AckInfo);
        if (!status && (reply is null || !Consumers.AckSubject.TryParse(reply, out ack)))
        {
            return;
        }
        var wake = false;
        lock (_gate)
        {
            if (generation != _generation || _closed)
            {
                return;
            }
            _lastContactTicks = DateTime.UtcNow.Ticks;
            if (status)
            {
                if (reply is not null)
                {
                    _queue.Enqueue(new Delivered(0, 0, "", [], [], reply)); // a flow control request
                    wake = true;
                }
                else
                {
                    if (NatsHeaders.Get(headers, "Nats-Consumer-Stalled") is { Length: > 0 } stalled)
                    {
                        _queue.Enqueue(new Delivered(0, 0, "", [], [], stalled));
                        wake = true;
                    }
                    if (NatsHeaders.Get(headers, "Nats-Last-Consumer") is { } last && ulong.TryParse(last, out var sent) && sent + 1 > _expectedConsumerSeq)
                    {
                        _replace = true; // the origin sent more than arrived
                    }
                }
            }
            else if (ack.ConsumerSeq != _expectedConsumerSeq)
            {
                _replace = true; // a delivery went missing: start again after what was copied
            }
            else
            {
                _expectedConsumerSeq++;
                _lastSeq = ack.StreamSeq + ack.Pending;
                _queue.Enqueue(new Delivered(ack.StreamSeq, ack.Timestamp, subject, headers.ToArray(), payload.ToArray(), null));
                wake = true;
            }
        }
        if (wake)
        {
            _available?.Invoke();
        }
    }

    public void Dispose()
    {
        string? consumer;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _timer?.Dispose();
            _inbox?.Dispose();
            _deliveries?.Dispose();
            consumer = _consumer;
            _queue.Clear();
        }
        if (consumer is not null)
        {
            _output.Publish($"{_source.External!.Api}.CONSUMER.DELETE.{_source.Name}.{consumer}", null, default, default);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{_source.External?.Api}.{_source.Name}");
}
