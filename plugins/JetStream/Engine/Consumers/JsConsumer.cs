using System.Text;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine.Consumers;

/// <summary>
/// A consumer of a stream: picks its messages (deliver policy, filters), delivers them to a push
/// subject or to waiting pull requests, tracks acks, redelivers after ack_wait/backoff/NAK,
/// enforces max_deliver, max_ack_pending, max_waiting, flow control, heartbeats, rate limit and
/// replay, and keeps its state in an <see cref="IConsumerStateStore"/> so it survives restarts.
/// Work runs on the thread pool one pass at a time (<see cref="Kick"/>); all timers are folded into
/// one wake-up registered with <see cref="JsScheduler"/>. Thread safety: <c>_gate</c> owns every
/// mutable field below; callbacks that reach other consumers (<see cref="Acked"/>,
/// <see cref="Inactive"/>) run outside it.
/// </summary>
public sealed partial class JsConsumer : IScheduled, IThreadPoolWorkItem, IDisposable
{
    /// <summary>nats-server's JsFlowControlMaxPending: bytes a push consumer may have outstanding under flow control.</summary>
    private const long FlowControlMaxPending = 32 * 1024 * 1024;

    /// <summary>How long state changes may wait before they are handed to the state store.</summary>
    private const long StateUpdateDelayMs = 100;

    private readonly Lock _gate = new();
    private readonly JsStream _stream;
    private readonly MessageStore _store;
    private readonly IJetStreamOutput _output;
    private readonly IConsumerStateStore _stateStore;
    private readonly JsScheduler _scheduler;
    private readonly SubjectFilter _filter;
    private readonly string _ackPrefix;
    private readonly StringBuilder _ackBuilder = new(96);
    private readonly StoredMessage _msg = new();
    private readonly ConsumerState _state;

    /// <summary>Stream sequences due for redelivery, in order.</summary>
    private readonly SortedSet<ulong> _redeliver = [];

    /// <summary>Ack deadlines (monotonic ms) of pending messages; stale entries are skipped against <c>_due</c>.</summary>
    private readonly PriorityQueue<ulong, long> _deadlines = new();
    private readonly Dictionary<ulong, long> _due = [];
    private readonly LinkedList<PullRequest> _waiting = new();
    private byte[] _headerBuffer = new byte[256];

    private Queue<ulong>? _lastPerSubject;
    private ulong _nextSeq;
    private ulong _numPending;
    private volatile bool _numPendingStale = true;
    private long _scheduledAt = long.MaxValue;
    private int _kicked;
    private bool _closed;
    private bool _stateDirty;
    private long _stateDirtySince;

    // Push: flow control (nats-server's pbytes/maxpb/fcid/fcsz), heartbeats, rate limit.
    private string? _fcReply;
    private long _fcBytes;
    private long _fcWindow;
    private long _fcSize;
    private long _lastDeliveryMs;
    private double _rateTokens;
    private long _rateAt;

    // Replay original: deliver at the stored pace until caught up with the stream's state at creation.
    private ulong _replayUntil;
    private long _replayBaseMs;
    private long _replayBaseTs;

    private long _lastActivityMs;
    private long _lastActiveUnixNs;

    /// <summary>A consumer of <paramref name="stream"/>, resuming from <paramref name="restored"/> when given; its timers run on <paramref name="scheduler"/> (the shared one when null).</summary>
    public JsConsumer(JsStream stream, string name, ConsumerConfig config, DateTime created, IConsumerStateStore stateStore, IJetStreamOutput output, JsScheduler? scheduler = null, ConsumerState? restored = null)
    {
        _stream = stream;
        _store = stream.Store;
        Name = name;
        Config = config;
        Created = created;
        _stateStore = stateStore;
        _output = output;
        _scheduler = scheduler ?? JsScheduler.Shared;
        _filter = new SubjectFilter(ConsumerConfigCheck.Filters(config));
        _ackPrefix = AckSubject.PrefixFor(stream.Name, name);
        _lastActivityMs = JsScheduler.Now;
        _fcWindow = Math.Max(1, FlowControlMaxPending / 16);
        _rateTokens = config.RateLimit / 8.0;
        _rateAt = JsScheduler.Now;
        lock (_gate)
        {
            ApplyPauseLocked(config.PauseUntil);
            if ((restored ?? stateStore.Initial) is { } initial)
            {
                _state = initial;
                _nextSeq = initial.DeliveredStream + 1;
                RestorePendingLocked();
            }
            else
            {
                _state = new ConsumerState();
                SelectStartLocked();
                _state.DeliveredStream = _state.AckFloorStream = _nextSeq - 1;
                _stateDirty = true;
                _stateDirtySince = JsScheduler.Now;
            }
        }
        if (restored is null && stateStore.Initial is null)
        {
            // As nats-server's initialInfo: the create response shows the consumer as created,
            // before its first pass delivers anything. Clients (NATS.Net's KV keys/watch) read
            // num_pending from it to know how many messages the initial set has; taken after a
            // delivery it would say 0 and they would stop at once.
            _initialInfo = Info();
        }
        stream.MessagesAvailable += OnMessagesAvailable;
        Kick();
    }

    private ConsumerInfo? _initialInfo;

    /// <summary>The info at creation the first time it is asked for (the create response), then <see cref="Info"/>.</summary>
    public ConsumerInfo CreationInfo() => Interlocked.Exchange(ref _initialInfo, null) ?? Info();

    /// <summary>The consumer's name (durable name or generated).</summary>
    public string Name { get; }

    /// <summary>The name of the stream it reads.</summary>
    public string StreamName => _stream.Name;

    /// <summary>The config; replaced whole (never changed in place) by <see cref="Pause"/>.</summary>
    public ConsumerConfig Config { get; private set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTime Created { get; }

    /// <summary>True for a pull consumer (no <c>deliver_subject</c>).</summary>
    public bool IsPull => string.IsNullOrEmpty(Config.DeliverSubject);

    /// <summary>True for a durable consumer.</summary>
    public bool IsDurable => !string.IsNullOrEmpty(Config.Durable);

    /// <summary>Raised outside the lock with stream sequences this consumer no longer needs (interest and workqueue retention).</summary>
    public event Action<JsConsumer, IReadOnlyList<ulong>>? Acked;

    /// <summary>Raised outside the lock when inactive_threshold passed without activity: the owner deletes the consumer.</summary>
    public event Action<JsConsumer>? Inactive;

    private void SelectStartLocked()
    {
        var state = _store.State();
        switch (Config.DeliverPolicy)
        {
            case DeliverPolicy.All:
                _nextSeq = state.FirstSeq;
                break;
            case DeliverPolicy.Last:
                var last = _store.LoadLast(_filter, _msg);
                _nextSeq = last != 0 ? last : state.LastSeq + 1;
                break;
            case DeliverPolicy.New:
                _nextSeq = state.LastSeq + 1;
                break;
            case DeliverPolicy.ByStartSequence:
                _nextSeq = Config.OptStartSeq;
                break;
            case DeliverPolicy.ByStartTime:
                var ns = (Config.OptStartTime!.Value.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * 100;
                _nextSeq = _store.SeqFromTime(ns);
                break;
            case DeliverPolicy.LastPerSubject:
                var seqs = _store.MultiLastSeqs(_filter.Filters, 0, 0) ?? [];
                _lastPerSubject = new Queue<ulong>(seqs);
                // New messages follow the last ones of each subject (kept in memory only: a restart in the middle resumes with new messages).
                _nextSeq = state.LastSeq + 1;
                break;
        }
        _nextSeq = Math.Max(_nextSeq, 1);
        if (Config.ReplayPolicy == ReplayPolicy.Original)
        {
            _replayUntil = state.LastSeq;
        }
    }

    /// <summary>
    /// Pending deliveries found at open get their remaining ack wait from their delivery time; the
    /// delivery counts kept for messages past max_deliver that left the stream meanwhile go (as
    /// nats-server's checkRedelivered).
    /// </summary>
    private void RestorePendingLocked()
    {
        ForgetRedeliveredBelowLocked(_store.State().FirstSeq);
        var now = JsScheduler.Now;
        var nowNs = UnixNanos();
        foreach (var (seq, p) in _state.Pending)
        {
            var wait = AckWaitNs(DeliveryCount(seq));
            var remainingMs = Math.Max(0, (p.Timestamp + wait - nowNs) / 1_000_000);
            SetDeadlineLocked(seq, now + remainingMs);
        }
    }

    /// <summary>Drops the delivery counts of messages no longer pending below <paramref name="firstSeq"/> (gone from the stream).</summary>
    private void ForgetRedeliveredBelowLocked(ulong firstSeq)
    {
        if (_state.Redelivered.Count == 0)
        {
            return;
        }
        foreach (var seq in _state.Redelivered.Keys.Where(s => s < firstSeq && !_state.Pending.ContainsKey(s)).ToList())
        {
            _state.Redelivered.Remove(seq);
        }
    }

    internal static long UnixNanos() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>How many times <paramref name="seq"/> has been delivered (1 once delivered once).</summary>
    private ulong DeliveryCount(ulong seq) => _state.Redelivered.TryGetValue(seq, out var n) ? n : 1;

    /// <summary>The ack wait after the <paramref name="deliveries"/>th delivery (backoff when set).</summary>
    private long AckWaitNs(ulong deliveries)
    {
        if (Config.BackOff is { Count: > 0 } backoff)
        {
            var i = (int)Math.Min((ulong)backoff.Count, Math.Max(1, deliveries)) - 1;
            return backoff[i];
        }
        return Config.AckWait;
    }

    private void SetDeadlineLocked(ulong seq, long dueMs)
    {
        _due[seq] = dueMs;
        _deadlines.Enqueue(seq, dueMs);
    }

    private void MarkDirtyLocked()
    {
        if (!_stateDirty)
        {
            _stateDirty = true;
            _stateDirtySince = JsScheduler.Now;
        }
    }

    /// <summary>New messages are durable in the stream (called on the store's sync thread).</summary>
    private void OnMessagesAvailable(ulong lastSeq)
    {
        _numPendingStale = true;
        Kick();
    }

    /// <summary>Messages were removed from the stream (purge, delete): counts are recomputed.</summary>
    public void StreamChanged()
    {
        _numPendingStale = true;
        Kick();
    }

    /// <summary>
    /// The stream was purged up to <paramref name="firstSeq"/> (its new first sequence): as
    /// nats-server's consumer purge, the consumer skips ahead and everything pending below is acked.
    /// </summary>
    public void Purged(ulong firstSeq)
    {
        lock (_gate)
        {
            if (_nextSeq < firstSeq)
            {
                _nextSeq = firstSeq;
                _state.DeliveredStream = firstSeq - 1;
            }
            if (_state.AckFloorStream + 1 < firstSeq)
            {
                _state.AckFloorStream = firstSeq - 1;
                foreach (var (seq, p) in _state.Pending.Where(kv => kv.Key < firstSeq).ToList())
                {
                    _state.AckFloorConsumer = Math.Max(_state.AckFloorConsumer, p.ConsumerSeq);
                    _state.Pending.Remove(seq);
                    _state.Redelivered.Remove(seq);
                    _due.Remove(seq);
                    _redeliver.Remove(seq);
                }
                if (_state.Pending.Count == 0)
                {
                    _state.AckFloorConsumer = _state.DeliveredConsumer;
                    _state.AckFloorStream = _nextSeq - 1;
                }
            }
            ForgetRedeliveredBelowLocked(firstSeq);
            MarkDirtyLocked();
        }
        StreamChanged();
    }

    /// <summary>Queues one pass of work on the thread pool unless one is already queued.</summary>
    public void Kick()
    {
        if (Interlocked.Exchange(ref _kicked, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IScheduled.Wake()
    {
        lock (_gate)
        {
            _scheduledAt = long.MaxValue;
        }
        Kick();
    }

    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _kicked, 0);
        // A pass delivers a batch: the output may send it with one write per connection.
        _output.BeginBatch();
        try
        {
            Run();
        }
        finally
        {
            _output.EndBatch();
        }
    }

    /// <summary>One pass: timers, waiting requests, deliveries, heartbeats, inactivity, state; then the next wake-up.</summary>
    private void Run()
    {
        List<ulong>? noLongerNeeded = null;
        var inactive = false;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            var now = JsScheduler.Now;
            ExpireDeadlinesLocked(now, ref noLongerNeeded);
            if (IsPull)
            {
                ExpireWaitingLocked(now, endOfStream: false);
            }
            DeliverLocked(now, ref noLongerNeeded);
            if (IsPull)
            {
                ExpireWaitingLocked(now, endOfStream: true);
            }
            else
            {
                PushHeartbeatLocked(now);
            }
            inactive = IsInactiveLocked(now);
            if (_stateDirty && now - _stateDirtySince >= StateUpdateDelayMs)
            {
                _stateStore.Update(_state);
                _stateDirty = false;
            }
            ScheduleNextLocked(now);
        }
        Notify(noLongerNeeded);
        if (inactive)
        {
            Inactive?.Invoke(this);
        }
    }

    private void Notify(List<ulong>? seqs)
    {
        if (seqs is { Count: > 0 })
        {
            Acked?.Invoke(this, seqs);
        }
    }

    private bool IsInactiveLocked(long now)
    {
        if (Config.InactiveThreshold <= 0)
        {
            return false;
        }
        var busy = IsPull ? _waiting.Count > 0 : _output.HasInterest(Config.DeliverSubject!);
        if (busy)
        {
            _lastActivityMs = now;
            return false;
        }
        return now - _lastActivityMs >= Config.InactiveThreshold / 1_000_000;
    }

    /// <summary>Registers the earliest time something is due (only when earlier than what is registered).</summary>
    private void ScheduleNextLocked(long now)
    {
        var next = long.MaxValue;
        while (_deadlines.TryPeek(out var seq, out var due) && (!_due.TryGetValue(seq, out var current) || current != due))
        {
            _deadlines.Dequeue();
        }
        if (_deadlines.TryPeek(out _, out var deadline))
        {
            next = deadline;
        }
        foreach (var wr in _waiting)
        {
            if (wr.ExpiresAt > 0)
            {
                next = Math.Min(next, wr.ExpiresAt);
            }
            if (wr.HeartbeatMs > 0)
            {
                next = Math.Min(next, wr.NextHeartbeat);
            }
        }
        if (!IsPull && Config.Heartbeat > 0)
        {
            next = Math.Min(next, _lastDeliveryMs + Config.Heartbeat / 1_000_000);
        }
        if (Config.InactiveThreshold > 0)
        {
            next = Math.Min(next, _lastActivityMs + Math.Max(1, Config.InactiveThreshold / 1_000_000));
        }
        if (_stateDirty)
        {
            next = Math.Min(next, _stateDirtySince + StateUpdateDelayMs);
        }
        if (_waitUntil > now)
        {
            next = Math.Min(next, _waitUntil);
        }
        if (_pauseUntilMs > now)
        {
            next = Math.Min(next, _pauseUntilMs);
        }
        if (next == long.MaxValue || next >= _scheduledAt)
        {
            return;
        }
        _scheduledAt = next;
        _scheduler.Schedule(this, next);
    }

    /// <summary>Stops the consumer (pull requests get <c>409 Consumer Deleted</c> when <paramref name="deleted"/>) and saves or removes its state.</summary>
    public void Close(bool deleted)
    {
        _stream.MessagesAvailable -= OnMessagesAvailable;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            if (deleted)
            {
                foreach (var wr in _waiting)
                {
                    SendStatus(wr.Reply, "409 Consumer Deleted");
                }
            }
            _waiting.Clear();
            if (!deleted)
            {
                _stateStore.Update(_state);
            }
        }
        if (deleted)
        {
            _stateStore.Delete();
        }
        else
        {
            _stateStore.Dispose();
        }
    }

    /// <summary>Stops the consumer without deleting its state.</summary>
    public void Dispose() => Close(deleted: false);

    /// <summary>Consumer info as nats-server reports it.</summary>
    public ConsumerInfo Info()
    {
        lock (_gate)
        {
            RefreshNumPendingLocked();
            return new ConsumerInfo
            {
                Stream = _stream.Name,
                Name = Name,
                Created = Created,
                Config = Config,
                Delivered = new SequenceInfo
                {
                    Consumer = _state.DeliveredConsumer,
                    Stream = _nextSeq - 1,
                    Last = _lastActiveUnixNs == 0 ? null : DateTime.UnixEpoch.AddTicks(_lastActiveUnixNs / 100),
                },
                AckFloor = new SequenceInfo { Consumer = _state.AckFloorConsumer, Stream = _state.AckFloorStream },
                NumAckPending = _state.Pending.Count,
                NumRedelivered = _state.Redelivered.Count,
                NumWaiting = _waiting.Count,
                NumPending = _numPending,
                PushBound = !IsPull && _output.HasInterest(Config.DeliverSubject!),
                Paused = PauseStateLocked(JsScheduler.Now).Paused,
                PauseRemaining = PauseStateLocked(JsScheduler.Now).RemainingNs,
                TimeStamp = DateTime.UtcNow,
            };
        }
    }

    /// <summary>Whether the consumer still needs <paramref name="seq"/> (interest retention): not yet acked and within its filter.</summary>
    public bool Needs(ulong seq, string subject)
    {
        lock (_gate)
        {
            if (!_filter.Matches(subject) || seq <= _state.AckFloorStream)
            {
                return false;
            }
            return seq >= _nextSeq || _state.Pending.ContainsKey(seq) || _redeliver.Contains(seq);
        }
    }

    /// <summary>A copy of the state (a consumer update carries it to the consumer that replaces this one).</summary>
    public ConsumerState Snapshot()
    {
        lock (_gate)
        {
            return _state.Clone();
        }
    }

    /// <summary>Writes the current state and waits until it is durable.</summary>
    public ValueTask FlushStateAsync()
    {
        lock (_gate)
        {
            _stateStore.Update(_state);
            _stateDirty = false;
        }
        return _stateStore.FlushAsync();
    }

    private void RefreshNumPendingLocked()
    {
        if (!_numPendingStale)
        {
            return;
        }
        _numPendingStale = false;
        var visible = _store.DurableSeq;
        _numPending = _nextSeq > visible ? 0 : _store.NumPending(_nextSeq, _filter, lastPerSubject: false);
        if (_lastPerSubject is { Count: > 0 } lps)
        {
            _numPending += (ulong)lps.Count;
        }
    }
}
