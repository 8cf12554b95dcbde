using System.Buffers;
using System.Diagnostics;
using Nats.Core.Protocol;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private const int MinReadBuffer = 512;
    private const int MaxReadBuffer = 64 * 1024;

    // Reads in a row that complete without waiting before the loop yields its thread.
    private const int MaxSynchronousReads = 16;

    private long _inMessages;
    private long _inBytes;
    private long _lastActivityTimestamp;

    // Set by CONNECT processing when authentication completes asynchronously (bcrypt,
    // plugins); the read loop awaits it before parsing anything else from this client.
    private ValueTask _pendingConnect;
    private bool _hasPendingConnect;

    /// <summary>Messages received from the client.</summary>
    public long InMessages => Interlocked.Read(ref _inMessages);

    /// <summary>Payload bytes received from the client.</summary>
    public long InBytes => Interlocked.Read(ref _inBytes);

    /// <summary>When the client last sent anything (Stopwatch ticks).</summary>
    internal long LastActivityTimestamp => Volatile.Read(ref _lastActivityTimestamp);

    /// <summary>
    /// Reads until the peer goes away. Unconsumed bytes (an operation split across reads)
    /// stay at the front of the buffer and the next read appends to them. While idle the
    /// loop waits with a zero-byte read and holds no buffer at all.
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var size = MinReadBuffer * 8;
        byte[]? buffer = null;
        var filled = 0;
        var synchronousReads = 0;
        try
        {
            while (!IsClosed)
            {
                if (buffer is null)
                {
                    await _stream.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    if (IsClosed)
                    {
                        return;
                    }
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }

                var pending = _stream.ReadAsync(buffer.AsMemory(filled));
                if (!pending.IsCompleted)
                {
                    synchronousReads = 0;
                }
                else if (++synchronousReads >= MaxSynchronousReads)
                {
                    // A client that publishes non-stop makes every read complete at once, and
                    // this loop would keep its pool thread forever. On a small machine the
                    // writer tasks of the subscribers it feeds then wait for a thread (the pool
                    // adds threads slowly) and healthy subscribers get cut as slow consumers.
                    // Step aside now and then so queued work runs.
                    synchronousReads = 0;
                    await Task.Yield();
                }
                var read = await pending.ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }
                var wasFull = filled + read == buffer.Length;
                filled += read;
                Volatile.Write(ref _lastActivityTimestamp, Stopwatch.GetTimestamp());

                var consumed = 0;
                int needed;
                while (true)
                {
                    consumed += ProcessBuffer(buffer.AsSpan(consumed, filled - consumed), out needed);
                    if (!_hasPendingConnect)
                    {
                        break;
                    }
                    _hasPendingConnect = false;
                    await _pendingConnect.ConfigureAwait(false);
                    _pendingConnect = default;
                    if (IsClosed)
                    {
                        return;
                    }
                }
                if (IsClosed)
                {
                    return;
                }

                var remaining = filled - consumed;
                if (remaining == 0)
                {
                    filled = 0;
                    // Adapt: grow while reads fill the buffer, shrink after short ones, and
                    // let go of the buffer entirely when the client pauses.
                    size = wasFull ? Math.Min(size * 2, MaxReadBuffer) : Math.Max(size / 2, MinReadBuffer);
                    if (!wasFull)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = null;
                    }
                    continue;
                }

                var required = Math.Max(needed, remaining + MinReadBuffer);
                if (required > buffer.Length || (wasFull && buffer.Length < MaxReadBuffer))
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Max(required, Math.Min(buffer.Length * 2, MaxReadBuffer)));
                    buffer.AsSpan(consumed, remaining).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                else if (consumed > 0)
                {
                    buffer.AsSpan(consumed, remaining).CopyTo(buffer);
                }
                filled = remaining;
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Parses and executes every complete operation in <paramref name="data"/>, inside one
    /// flush batch. Stops early after a CONNECT that authenticates asynchronously.
    /// </summary>
    /// <returns>Bytes consumed.</returns>
    private int ProcessBuffer(Span<byte> data, out int needed)
    {
        needed = 0;
        var options = _server.Options;
        var maxPayload = options.MaxPayload;
        var position = 0;
        long messages = 0;
        long bytes = 0;
        _batch.Begin();
        try
        {
            while (position < data.Length && !IsClosed)
            {
                var status = ClientProtocolParser.Parse(
                    data[position..], options.MaxControlLine, maxPayload, out var command, out var consumed, out needed);
                if (status == ParseStatus.NeedMore)
                {
                    break;
                }
                if (status != ParseStatus.Complete)
                {
                    OnParseError(status);
                    break;
                }
                position += consumed;
                if (command.Op is ClientOp.Pub or ClientOp.HPub)
                {
                    messages++;
                    bytes += command.Headers.Length + command.Payload.Length;
                }
                Execute(ref command);
                if (_hasPendingConnect)
                {
                    break;
                }
            }
        }
        finally
        {
            if (messages > 0)
            {
                CountInbound(messages, bytes);
            }
            _batch.End();
        }
        return position;
    }

    private void CountInbound(long messages, long bytes)
    {
        // Single reader: plain writes are enough for these, monitoring reads them racily.
        Volatile.Write(ref _inMessages, _inMessages + messages);
        Volatile.Write(ref _inBytes, _inBytes + bytes);
        Account.CountIn(messages, bytes);
        _server.Statistics.CountIn(messages, bytes);
    }

    private void OnParseError(ParseStatus status)
    {
        switch (status)
        {
            case ParseStatus.UnknownOperation:
                Close(ClosedReason.ProtocolViolation, ProtocolErrors.UnknownOperation);
                break;
            case ParseStatus.ControlLineTooLong:
                Close(ClosedReason.MaxControlLineExceeded, ProtocolErrors.MaxControlLine);
                break;
            case ParseStatus.PayloadTooLarge:
                Close(ClosedReason.MaxPayloadExceeded, ProtocolErrors.MaxPayload);
                break;
            default:
                // nats-server closes on malformed arguments without an -ERR.
                Close(ClosedReason.ProtocolViolation);
                break;
        }
    }
}
