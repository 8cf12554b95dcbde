using System.Text;
using Nats.JetStream.Api;

namespace Nats.JetStream.Engine.Consumers;

public sealed partial class JsConsumer
{
    /// <summary>
    /// An ack arrived on one of this consumer's ack subjects: <c>+ACK</c> (or empty, <c>+OK</c>),
    /// <c>-NAK</c> with an optional delay, <c>+WPI</c>, <c>+NXT</c> with an optional pull request,
    /// <c>+TERM</c> with an optional reason. With a <paramref name="reply"/> the client gets an
    /// empty message once the new state is durable (for <c>+NXT</c>, the reply is the pull request's).
    /// </summary>
    public void HandleAck(in AckInfo ack, string? reply, ReadOnlySpan<byte> body)
    {
        var text = body.Trim(" \t\r\n"u8);
        List<ulong>? noLongerNeeded = null;
        var answer = reply is not null;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _lastActivityMs = JsScheduler.Now;
            if (text.Length == 0 || text.SequenceEqual("+ACK"u8) || text.SequenceEqual("+OK"u8))
            {
                AckLocked(ack.StreamSeq, ref noLongerNeeded);
            }
            else if (text.StartsWith("+NXT"u8))
            {
                AckLocked(ack.StreamSeq, ref noLongerNeeded);
                answer = false;
                if (reply is not null)
                {
                    AddPullRequestLocked(reply, text[4..]);
                }
            }
            else if (text.StartsWith("-NAK"u8))
            {
                NakLocked(ack.StreamSeq, ack.ConsumerSeq, text[4..]);
            }
            else if (text.SequenceEqual("+WPI"u8))
            {
                if (_state.Pending.TryGetValue(ack.StreamSeq, out var p))
                {
                    var now = UnixNanos();
                    _state.Pending[ack.StreamSeq] = p with { Timestamp = now };
                    SetDeadlineLocked(ack.StreamSeq, JsScheduler.Now + AckWaitNs(DeliveryCount(ack.StreamSeq)) / 1_000_000);
                    MarkDirtyLocked();
                }
            }
            else if (text.StartsWith("+TERM"u8))
            {
                if (_state.Pending.ContainsKey(ack.StreamSeq))
                {
                    AckLocked(ack.StreamSeq, ref noLongerNeeded);
                    var reason = Encoding.UTF8.GetString(text[5..].Trim((byte)' '));
                    Advisories.Delivery(_output, _stream.Domain, DeliveryEvent.Terminated, _stream.Name, Name, ack.ConsumerSeq, ack.StreamSeq, ack.Delivered, reason);
                }
            }
            if (answer)
            {
                _stateStore.Update(_state);
                _stateDirty = false;
            }
        }
        Notify(noLongerNeeded);
        if (answer)
        {
            var flush = _stateStore.FlushAsync();
            if (flush.IsCompletedSuccessfully)
            {
                _output.Publish(reply!, null, default, default);
            }
            else
            {
                _ = ReplyWhenDurable(flush, reply!);
            }
        }
        Kick();
    }

    private async Task ReplyWhenDurable(ValueTask flush, string reply)
    {
        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The state store logged it; the ack was applied in memory. The client times out and acks again.
            return;
        }
        _output.Publish(reply, null, default, default);
    }

    /// <summary>Explicit: removes one pending message; all: every pending message up to it.</summary>
    private void AckLocked(ulong seq, ref List<ulong>? noLongerNeeded)
    {
        switch (Config.AckPolicy)
        {
            case AckPolicy.Explicit:
                if (!_state.Pending.TryGetValue(seq, out var p))
                {
                    // A late ack of a message that went past max_deliver: its delivery count goes
                    // (nats-server deletes rdc[seq] on every ack, pending or not).
                    if (_state.Redelivered.Remove(seq))
                    {
                        MarkDirtyLocked();
                    }
                    return;
                }
                RemovePendingLocked(seq);
                if (_stream.Config.Retention != RetentionPolicy.Limits)
                {
                    (noLongerNeeded ??= []).Add(seq);
                }
                break;
            case AckPolicy.All:
                if (seq <= _state.AckFloorStream || seq >= _nextSeq)
                {
                    return;
                }
                var acked = _state.Pending.Keys.Where(s => s <= seq).ToList();
                acked.Sort();
                if (_state.Redelivered.Count > 0)
                {
                    // Messages past max_deliver in the acked range lose their delivery count too.
                    foreach (var s in _state.Redelivered.Keys.Where(s => s > _state.AckFloorStream && s <= seq && !_state.Pending.ContainsKey(s)).ToList())
                    {
                        _state.Redelivered.Remove(s);
                    }
                }
                foreach (var s in acked)
                {
                    RemovePendingLocked(s);
                }
                if (_stream.Config.Retention != RetentionPolicy.Limits)
                {
                    (noLongerNeeded ??= []).AddRange(acked);
                }
                break;
            default:
                return;
        }
        MarkDirtyLocked();
    }

    /// <summary>Drops a pending delivery and moves the ack floor over everything below the oldest one left.</summary>
    private void RemovePendingLocked(ulong seq)
    {
        if (!_state.Pending.Remove(seq, out var removed))
        {
            return;
        }
        _state.Redelivered.Remove(seq);
        _due.Remove(seq);
        _redeliver.Remove(seq);
        if (_state.Pending.Count == 0)
        {
            _state.AckFloorConsumer = _state.DeliveredConsumer;
            _state.AckFloorStream = _nextSeq - 1;
            return;
        }
        if (removed.ConsumerSeq != _state.AckFloorConsumer + 1)
        {
            return;
        }
        _state.AckFloorConsumer = removed.ConsumerSeq;
        _state.AckFloorStream = seq;
        // Walk forward to the next pending message (nats-server's ack floor walk), bounded by what was delivered.
        for (var s = seq + 1; s < _nextSeq; s++)
        {
            if (_state.Pending.TryGetValue(s, out var next))
            {
                _state.AckFloorConsumer = next.ConsumerSeq - 1;
                _state.AckFloorStream = s - 1;
                return;
            }
        }
    }

    /// <summary>-NAK: redeliver now, or after the delay given as <c>{"delay":ns}</c> or a Go duration.</summary>
    private void NakLocked(ulong seq, ulong consumerSeq, ReadOnlySpan<byte> arg)
    {
        if (!_state.Pending.TryGetValue(seq, out var p))
        {
            return;
        }
        Advisories.Delivery(_output, _stream.Domain, DeliveryEvent.Naked, _stream.Name, Name, consumerSeq, seq, DeliveryCount(seq));
        arg = arg.Trim(" \t"u8);
        long delay = 0;
        if (arg.Length > 0)
        {
            if (arg[0] == (byte)'{')
            {
                try
                {
                    delay = System.Text.Json.JsonSerializer.Deserialize(arg, JsApiJsonContext.Default.NakOptions)?.Delay ?? 0;
                }
                catch (System.Text.Json.JsonException)
                {
                    delay = 0;
                }
            }
            else if (!Nats.Core.Config.GoDuration.TryParseNanoseconds(Encoding.ASCII.GetString(arg), out delay, out _))
            {
                delay = 0;
            }
        }
        if (delay > 0)
        {
            _redeliver.Remove(seq);
            // As nats-server: the delivery time moves so that ack_wait ends after the delay (persisted).
            _state.Pending[seq] = p with { Timestamp = UnixNanos() - Config.AckWait + delay };
            SetDeadlineLocked(seq, JsScheduler.Now + delay / 1_000_000);
            MarkDirtyLocked();
            return;
        }
        _due.Remove(seq);
        _redeliver.Add(seq);
    }

    /// <summary>
    /// Past max_deliver (delivered <paramref name="dc"/> times, max_deliver reached): the message
    /// leaves pending with an advisory. As nats-server, its delivery count stays (num_redelivered
    /// counts it, in 2.9.10 and today) until a late ack, an ack all over it, or the message leaving
    /// the stream. The ack floor moves over it as over an acked message: nats-server 2.9.10 left the
    /// floor behind it for good, a bug current nats-server fixed ("Move ack floor if MaxDeliver
    /// exceeded", 982db7699); a floor that never passes a dead message is what its fix was about.
    /// </summary>
    private void MaxDeliveriesReachedLocked(ulong seq, ulong dc)
    {
        RemovePendingLocked(seq);
        _state.Redelivered[seq] = dc;
        MarkDirtyLocked();
        Advisories.Delivery(_output, _stream.Domain, DeliveryEvent.MaxDeliveries, _stream.Name, Name, 0, seq, dc);
    }

    /// <summary>True when <paramref name="seq"/> has been delivered max_deliver times.</summary>
    private bool AtMaxDeliveriesLocked(ulong seq, out ulong dc)
    {
        dc = DeliveryCount(seq);
        return Config.MaxDeliver > 0 && dc >= (ulong)Config.MaxDeliver;
    }

    /// <summary>Pending messages whose ack wait ended go to redelivery, or, past max_deliver, leave pending with an advisory.</summary>
    private void ExpireDeadlinesLocked(long now, ref List<ulong>? noLongerNeeded)
    {
        while (_deadlines.TryPeek(out var seq, out var due) && due <= now)
        {
            _deadlines.Dequeue();
            if (!_due.TryGetValue(seq, out var current) || current != due)
            {
                continue;
            }
            _due.Remove(seq);
            if (!_state.Pending.ContainsKey(seq))
            {
                continue;
            }
            if (AtMaxDeliveriesLocked(seq, out var dc))
            {
                MaxDeliveriesReachedLocked(seq, dc);
                continue;
            }
            _redeliver.Add(seq);
        }
    }
}
