using System.Text;
using Nats.Core.Security;
using Nats.JetStream.Api;

namespace Nats.JetStream.Engine.Consumers;

public sealed partial class JsConsumer
{
    /// <summary>When the delivery loop may run again after a rate-limit or replay wait (monotonic ms).</summary>
    private long _waitUntil;

    /// <summary>Delivers while there is a message, a taker (push interest or a waiting pull request) and room.</summary>
    private void DeliverLocked(long now, ref List<ulong>? noLongerNeeded)
    {
        if (_waitUntil > now || _pauseUntilMs > now)
        {
            return;
        }
        _waitUntil = 0;
        RefreshNumPendingLocked();
        while (true)
        {
            PullRequest? wr = null;
            if (IsPull)
            {
                wr = NextWaitingLocked();
                if (wr is null)
                {
                    return;
                }
            }
            else
            {
                if (!_output.HasInterest(Config.DeliverSubject!))
                {
                    return;
                }
                if (_fcReply is not null && _fcBytes > _fcWindow)
                {
                    return;
                }
            }
            var redelivery = false;
            var fromList = false;
            ulong seq;
            if (TryTakeRedeliveryLocked(out seq, ref noLongerNeeded))
            {
                redelivery = true;
            }
            else
            {
                if (Config.AckPolicy != AckPolicy.None && Config.MaxAckPending > 0 && _state.Pending.Count >= Config.MaxAckPending)
                {
                    return;
                }
                seq = NextNewLocked(out fromList);
                if (seq == 0)
                {
                    return;
                }
                if (Config.ReplayPolicy == ReplayPolicy.Original && seq <= _replayUntil && !ReplayDueLocked(now))
                {
                    return;
                }
            }
            var dc = redelivery ? DeliveryCount(seq) + 1 : 1;
            var pendingAfter = redelivery || _numPending == 0 ? _numPending : _numPending - 1;
            var reply = AckSubject.Build(_ackBuilder, _ackPrefix, dc, seq, _state.DeliveredConsumer + 1, _msg.Timestamp, pendingAfter);
            var headers = Config.HeadersOnly ? HeadersOnly() : _msg.Headers.Span;
            var payload = Config.HeadersOnly ? default : _msg.Payload.Span;
            var size = _msg.Subject.Length + reply.Length + headers.Length + payload.Length;
            if (wr is not null && wr.MaxBytes > 0)
            {
                if (size > wr.MaxBytes)
                {
                    SendStatus(wr.Reply, $"409 Message Size Exceeds MaxBytes\r\nNats-Pending-Messages: {wr.Batch}\r\nNats-Pending-Bytes: {wr.MaxBytes}");
                    _waiting.Remove(wr);
                    PutBackLocked(seq, redelivery);
                    continue;
                }
            }
            if (Config.RateLimit > 0 && !RateAllowsLocked(now))
            {
                PutBackLocked(seq, redelivery);
                return;
            }
            if (fromList)
            {
                _lastPerSubject!.Dequeue();
            }
            else if (!redelivery)
            {
                _nextSeq = seq + 1;
            }
            if (!redelivery)
            {
                if (_numPending > 0)
                {
                    _numPending--;
                }
            }
            else
            {
                _state.Redelivered[seq] = dc;
            }
            Send(wr, seq, dc, reply, headers, payload, size, now, ref noLongerNeeded);
        }
    }

    /// <summary>The next new message for the consumer (last-per-subject list first), loaded into <c>_msg</c>; 0 when none.</summary>
    private ulong NextNewLocked(out bool fromList)
    {
        fromList = true;
        while (_lastPerSubject is { Count: > 0 } lps)
        {
            var s = lps.Peek();
            if (_store.TryLoad(s, _msg))
            {
                return s;
            }
            lps.Dequeue();
        }
        fromList = false;
        return _store.LoadNext(_filter, _nextSeq, _msg);
    }

    private void PutBackLocked(ulong seq, bool redelivery)
    {
        if (redelivery)
        {
            _redeliver.Add(seq);
        }
    }

    /// <summary>The first redelivery still pending, loaded into <c>_msg</c>; messages gone from the stream are dropped from pending.</summary>
    private bool TryTakeRedeliveryLocked(out ulong seq, ref List<ulong>? noLongerNeeded)
    {
        while (_redeliver.Count > 0)
        {
            seq = _redeliver.Min;
            _redeliver.Remove(seq);
            if (!_state.Pending.ContainsKey(seq))
            {
                continue;
            }
            if (AtMaxDeliveriesLocked(seq, out var dc))
            {
                // Naked after its last allowed delivery: as nats-server's getNextMsg, not sent again.
                MaxDeliveriesReachedLocked(seq, dc);
                continue;
            }
            if (_store.TryLoad(seq, _msg))
            {
                return true;
            }
            // Removed from the stream meanwhile (limits, purge): nothing left to redeliver.
            RemovePendingLocked(seq);
            MarkDirtyLocked();
        }
        seq = 0;
        return false;
    }

    /// <summary>Replay original: true when the loaded message's original offset from the first one has passed.</summary>
    private bool ReplayDueLocked(long now)
    {
        if (_replayBaseMs == 0)
        {
            _replayBaseMs = now;
            _replayBaseTs = _msg.Timestamp;
            return true;
        }
        var due = _replayBaseMs + Math.Max(0, (_msg.Timestamp - _replayBaseTs) / 1_000_000);
        if (due > now)
        {
            _waitUntil = due;
            return false;
        }
        return true;
    }

    /// <summary>Token bucket in bytes (rate_limit_bps / 8 per second, one second of burst); a message may overdraw it.</summary>
    private bool RateAllowsLocked(long now)
    {
        var perMs = Config.RateLimit / 8.0 / 1000.0;
        _rateTokens = Math.Min(Config.RateLimit / 8.0, _rateTokens + (now - _rateAt) * perMs);
        _rateAt = now;
        if (_rateTokens > 0)
        {
            return true;
        }
        _waitUntil = now + Math.Max(1, (long)Math.Ceiling(-_rateTokens / perMs));
        return false;
    }

    private void Send(PullRequest? wr, ulong seq, ulong dc, string reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, int size, long now, ref List<ulong>? noLongerNeeded)
    {
        var cseq = ++_state.DeliveredConsumer;
        _state.DeliveredStream = _nextSeq - 1;
        _lastDeliveryMs = now;
        _lastActivityMs = now;
        _lastActiveUnixNs = UnixNanos();
        if (Config.AckPolicy == AckPolicy.None)
        {
            _state.AckFloorConsumer = cseq;
            _state.AckFloorStream = seq;
            if (_stream.Config.Retention != RetentionPolicy.Limits)
            {
                (noLongerNeeded ??= []).Add(seq);
            }
        }
        else
        {
            if (_state.Pending.TryGetValue(seq, out var existing))
            {
                _state.Pending[seq] = existing with { Timestamp = _lastActiveUnixNs };
            }
            else
            {
                _state.Pending[seq] = new Storage.PendingDelivery(cseq, _lastActiveUnixNs);
            }
            SetDeadlineLocked(seq, now + AckWaitNs(dc) / 1_000_000);
        }
        MarkDirtyLocked();
        if (Config.RateLimit > 0)
        {
            _rateTokens -= size;
        }
        if (wr is not null)
        {
            _output.Deliver(wr.Reply, _msg.Subject, reply, headers, payload);
            wr.Delivered++;
            wr.Batch--;
            if (wr.MaxBytes > 0)
            {
                wr.MaxBytes -= size;
            }
            if (wr.HeartbeatMs > 0)
            {
                wr.NextHeartbeat = now + wr.HeartbeatMs;
            }
            if (wr.Batch <= 0 || (wr.MaxBytes <= 0 && wr.MaxBytesSet))
            {
                _waiting.Remove(wr);
                if (wr.Batch <= 0 && wr.MaxBytes > 0)
                {
                    SendStatus(wr.Reply, $"409 Batch Completed\r\nNats-Pending-Messages: {Math.Max(0, wr.Batch)}\r\nNats-Pending-Bytes: {wr.MaxBytes}");
                }
            }
            return;
        }
        _output.Deliver(Config.DeliverSubject!, _msg.Subject, reply, headers, payload);
        if (Config.FlowControl)
        {
            _fcBytes += size;
            if (_fcReply is null && _fcBytes > _fcWindow / 2)
            {
                SendFlowControlLocked();
            }
            else if (_fcReply is not null && _fcBytes - _fcSize >= _fcWindow)
            {
                _fcSize += size;
            }
        }
    }

    /// <summary>The message's headers plus <c>Nats-Msg-Size</c>, for headers_only consumers (in a reused buffer).</summary>
    private ReadOnlySpan<byte> HeadersOnly()
    {
        var original = _msg.Headers.Span;
        var size = Encoding.ASCII.GetBytes($"Nats-Msg-Size: {_msg.Payload.Length}\r\n\r\n");
        var head = original.Length >= 4 && original.EndsWith("\r\n\r\n"u8) ? original[..^2] : "NATS/1.0\r\n"u8;
        var need = head.Length + size.Length;
        if (_headerBuffer.Length < need)
        {
            _headerBuffer = new byte[need * 2];
        }
        head.CopyTo(_headerBuffer);
        size.CopyTo(_headerBuffer.AsSpan(head.Length));
        return _headerBuffer.AsSpan(0, need);
    }

    private void SendFlowControlLocked()
    {
        _fcReply = "$JS.FC." + _stream.Name + "." + Name + "." + SecureRandom.NewId(4);
        _fcSize = _fcBytes;
        _output.Publish(Config.DeliverSubject!, _fcReply, "NATS/1.0 100 FlowControl Request\r\n\r\n"u8, default);
    }

    /// <summary>The client answered a flow control request on <paramref name="subject"/>: open the window (doubling up to 32 MiB).</summary>
    public void HandleFlowControl(string subject)
    {
        lock (_gate)
        {
            if (subject != _fcReply)
            {
                return;
            }
            _fcWindow = Math.Min(FlowControlMaxPending, _fcWindow * 2);
            _fcBytes = Math.Max(0, _fcBytes - _fcSize);
            _fcReply = null;
            _fcSize = 0;
        }
        Kick();
    }

    /// <summary>Push: an idle heartbeat when nothing was delivered for idle_heartbeat (with the stalled flow control reply).</summary>
    private void PushHeartbeatLocked(long now)
    {
        if (Config.Heartbeat <= 0 || now - _lastDeliveryMs < Config.Heartbeat / 1_000_000)
        {
            return;
        }
        _lastDeliveryMs = now;
        if (!_output.HasInterest(Config.DeliverSubject!))
        {
            return;
        }
        SendHeartbeatLocked(Config.DeliverSubject!);
    }

    private void SendHeartbeatLocked(string to)
    {
        var text = $"NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: {_state.DeliveredConsumer}\r\nNats-Last-Stream: {_nextSeq - 1}\r\n"
            + (_fcReply is not null ? $"Nats-Consumer-Stalled: {_fcReply}\r\n" : "") + "\r\n";
        _output.Publish(to, null, Encoding.ASCII.GetBytes(text), default);
    }

    /// <summary>A status message (<c>NATS/1.0 &lt;code&gt; &lt;text&gt;</c>, optional extra header lines) with no payload.</summary>
    private void SendStatus(string to, string status) =>
        _output.Publish(to, null, Encoding.ASCII.GetBytes($"NATS/1.0 {status}\r\n\r\n"), default);
}
