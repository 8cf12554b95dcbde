namespace Nats.JetStream.Engine.Consumers;

public sealed partial class JsConsumer
{
    /// <summary>
    /// A pull request on <c>$JS.API.CONSUMER.MSG.NEXT.&lt;stream&gt;.&lt;consumer&gt;</c>: checked
    /// as nats-server's processNextMsgRequest (400/404/408/409 statuses to <paramref name="reply"/>),
    /// then queued and served.
    /// </summary>
    public void HandlePullRequest(string reply, ReadOnlySpan<byte> body)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _lastActivityMs = JsScheduler.Now;
            AddPullRequestLocked(reply, body);
        }
        Kick();
    }

    private void AddPullRequestLocked(string reply, ReadOnlySpan<byte> body)
    {
        if (!IsPull)
        {
            SendStatus(reply, "409 Consumer is push based");
            return;
        }
        var now = JsScheduler.Now;
        if (PullRequest.TryParse(body, now, out var args) is { } bad)
        {
            SendStatus(reply, "400 Bad Request - " + bad);
            return;
        }
        if (Config.MaxRequestBatch > 0 && args.Batch > Config.MaxRequestBatch)
        {
            SendStatus(reply, $"409 Exceeded MaxRequestBatch of {Config.MaxRequestBatch}");
            return;
        }
        if (args.Expires > 0 && Config.MaxRequestExpires > 0 && args.Expires > Config.MaxRequestExpires)
        {
            SendStatus(reply, $"409 Exceeded MaxRequestExpires of {GoDuration(Config.MaxRequestExpires)}");
            return;
        }
        if (args.MaxBytes > 0 && Config.MaxRequestMaxBytes > 0 && args.MaxBytes > Config.MaxRequestMaxBytes)
        {
            SendStatus(reply, $"409 Exceeded MaxRequestMaxBytes of {Config.MaxRequestMaxBytes}");
            return;
        }
        if (_waiting.Count >= Config.MaxWaiting)
        {
            ExpireWaitingLocked(now, endOfStream: false);
        }
        if (args.NoWait)
        {
            RefreshNumPendingLocked();
            var available = _numPending + (ulong)_redeliver.Count;
            if (available == 0 && args.Expires == 0)
            {
                SendStatus(reply, "404 No Messages");
                return;
            }
            if (available > 0)
            {
                var batchPending = 0L;
                foreach (var w in _waiting)
                {
                    batchPending += w.Batch;
                }
                if (available < (ulong)batchPending)
                {
                    SendStatus(reply, "408 Requests Pending");
                    return;
                }
            }
        }
        if (_waiting.Count >= Config.MaxWaiting)
        {
            if (args.Heartbeat == 0)
            {
                SendStatus(reply, "409 Exceeded MaxWaiting");
            }
            return;
        }
        var hbMs = args.Heartbeat / 1_000_000;
        _waiting.AddLast(new PullRequest
        {
            Reply = reply,
            Batch = args.Batch,
            MaxBytes = args.MaxBytes,
            MaxBytesSet = args.MaxBytes > 0,
            NoWait = args.NoWait,
            ExpiresAt = args.Expires > 0 ? now + Math.Max(1, args.Expires / 1_000_000) : 0,
            HeartbeatMs = hbMs,
            NextHeartbeat = now + hbMs,
        });
    }

    /// <summary>The first waiting request that still has interest and room; others are dropped.</summary>
    private PullRequest? NextWaitingLocked()
    {
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            var wr = node.Value;
            if (wr.Batch <= 0)
            {
                _waiting.Remove(node);
            }
            else if (!_output.HasInterest(wr.Reply))
            {
                _waiting.Remove(node);
            }
            else
            {
                return wr;
            }
            node = next;
        }
        return null;
    }

    /// <summary>
    /// nats-server's processWaiting: expired requests get <c>408 Request Timeout</c>; at the end of
    /// the stream a no_wait request gets <c>404 No Messages</c> (or stays for its expiry when it has
    /// one and got nothing); requests without interest go; heartbeats go out when due.
    /// </summary>
    private void ExpireWaitingLocked(long now, bool endOfStream)
    {
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            var wr = node.Value;
            var expired = wr.ExpiresAt > 0 && now >= wr.ExpiresAt;
            if (expired || (endOfStream && wr.NoWait))
            {
                if (expired)
                {
                    SendStatus(wr.Reply, $"408 Request Timeout\r\nNats-Pending-Messages: {wr.Batch}\r\nNats-Pending-Bytes: {(wr.MaxBytesSet ? wr.MaxBytes : 0)}");
                    _waiting.Remove(node);
                    node = next;
                    continue;
                }
                if (wr.ExpiresAt == 0 || wr.Delivered > 0)
                {
                    SendStatus(wr.Reply, "404 No Messages");
                    _waiting.Remove(node);
                    node = next;
                    continue;
                }
            }
            if (!_output.HasInterest(wr.Reply))
            {
                _waiting.Remove(node);
                node = next;
                continue;
            }
            if (wr.HeartbeatMs > 0 && now >= wr.NextHeartbeat)
            {
                SendHeartbeatLocked(wr.Reply);
                wr.NextHeartbeat = now + wr.HeartbeatMs;
            }
            node = next;
        }
    }

    /// <summary>A Go time.Duration string (as %v prints it) for the 409 texts.</summary>
    internal static string GoDuration(long ns) => GoDurationText.Format(ns);
}
