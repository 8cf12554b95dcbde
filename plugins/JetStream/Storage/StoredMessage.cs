namespace Nats.JetStream.Storage;

/// <summary>
/// A message read from a store into a caller-owned, reusable container: the store copies the
/// record's bytes into <see cref="Buffer"/>, so one container serves a whole delivery loop
/// without allocating per message.
/// </summary>
public sealed class StoredMessage
{
    private byte[] _buffer = new byte[256];
    private int _headerLength;
    private int _payloadLength;

    /// <summary>The message's stream sequence.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>Unix time in nanoseconds.</summary>
    public long Timestamp { get; private set; }

    /// <summary>The subject (interned by the store: no allocation per read).</summary>
    public string Subject { get; private set; } = "";

    /// <summary>Per-message TTL in nanoseconds (0: none).</summary>
    public long Ttl { get; private set; }

    /// <summary>The message's headers (NATS/1.0 block); empty when none.</summary>
    public ReadOnlyMemory<byte> Headers => _buffer.AsMemory(0, _headerLength);

    /// <summary>The message's payload.</summary>
    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(_headerLength, _payloadLength);

    /// <summary>Header and payload bytes together, as nats-server sizes a message.</summary>
    public int Size => Subject.Length + _headerLength + _payloadLength;

    internal void Set(ulong seq, long timestamp, string subject, long ttl, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var total = headers.Length + payload.Length;
        if (_buffer.Length < total)
        {
            _buffer = new byte[Math.Max(total, _buffer.Length * 2)];
        }
        headers.CopyTo(_buffer);
        payload.CopyTo(_buffer.AsSpan(headers.Length));
        _headerLength = headers.Length;
        _payloadLength = payload.Length;
        Sequence = seq;
        Timestamp = timestamp;
        Subject = subject;
        Ttl = ttl;
    }

    /// <summary>A copy that owns its bytes (for keeping past the next read).</summary>
    public StoredMessage Clone()
    {
        var copy = new StoredMessage();
        copy.Set(Sequence, Timestamp, Subject, Ttl, Headers.Span, Payload.Span);
        return copy;
    }
}
