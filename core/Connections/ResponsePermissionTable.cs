using System.Diagnostics;
using System.Numerics;

namespace Nats.Core.Connections;

/// <summary>
/// allow_responses: the reply subjects of requests a client received, each with how many
/// responses remain and until when. Keyed by the subject's bytes and looked up by span, and the
/// key buffers of consumed entries are reused, so a request answered once (the default
/// <c>max: 1</c>) allocates nothing: this runs once per delivered request and once per response.
/// </summary>
/// <remarks>Thread-safe: publishers add (on their threads), the client's read loop consumes.</remarks>
internal sealed class ResponsePermissionTable
{
    // nats-server's replyPermLimit: past this many entries, adding one prunes the expired.
    private const int PruneThreshold = 1024;

    // Key buffers kept for reuse; a few cover a responder's requests in flight.
    private const int MaxSpareKeys = 64;

    private readonly Dictionary<ReplyKey, Entry> _entries = new(ReplyKeyComparer.Instance);
    private readonly Dictionary<ReplyKey, Entry>.AlternateLookup<ReadOnlySpan<byte>> _bySubject;
    private readonly Stack<byte[]> _spareKeys = new();

    public ResponsePermissionTable() => _bySubject = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>Entries held (expired ones included until pruned or consumed).</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Allows <paramref name="maxMessages"/> responses (0 or less: any number) to <paramref name="reply"/> for <paramref name="expires"/>.</summary>
    public void Track(ReadOnlySpan<byte> reply, int maxMessages, TimeSpan expires)
    {
        var entry = new Entry(maxMessages, Stopwatch.GetTimestamp() + (long)(expires.TotalSeconds * Stopwatch.Frequency));
        lock (_entries)
        {
            if (_bySubject.TryGetValue(reply, out var key, out _))
            {
                _entries[key] = entry;
                return;
            }
            _entries.Add(NewKey(reply), entry);
            if (_entries.Count > PruneThreshold)
            {
                PruneExpired();
            }
        }
    }

    /// <summary>Whether a response to <paramref name="subject"/> is allowed now; counts it against the entry's remaining responses.</summary>
    public bool TryConsume(ReadOnlySpan<byte> subject)
    {
        lock (_entries)
        {
            if (!_bySubject.TryGetValue(subject, out var key, out var entry))
            {
                return false;
            }
            if (entry.Expires < Stopwatch.GetTimestamp())
            {
                Remove(key);
                return false;
            }
            if (entry.Remaining == 1)
            {
                Remove(key);
            }
            else if (entry.Remaining > 1)
            {
                _entries[key] = entry with { Remaining = entry.Remaining - 1 };
            }
            return true;
        }
    }

    private ReplyKey NewKey(ReadOnlySpan<byte> subject)
    {
        if (!_spareKeys.TryPop(out var buffer) || buffer.Length < subject.Length)
        {
            buffer = new byte[Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)subject.Length))];
        }
        subject.CopyTo(buffer);
        return new ReplyKey(buffer, subject.Length);
    }

    private void Remove(ReplyKey key)
    {
        _entries.Remove(key);
        if (_spareKeys.Count < MaxSpareKeys)
        {
            _spareKeys.Push(key.Buffer);
        }
    }

    private void PruneExpired()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires < now)
            {
                Remove(key);
            }
        }
    }

    private readonly record struct Entry(int Remaining, long Expires);

    private readonly record struct ReplyKey(byte[] Buffer, int Length)
    {
        public ReadOnlySpan<byte> Subject => Buffer.AsSpan(0, Length);
    }

    private sealed class ReplyKeyComparer : IEqualityComparer<ReplyKey>, IAlternateEqualityComparer<ReadOnlySpan<byte>, ReplyKey>
    {
        public static readonly ReplyKeyComparer Instance = new();

        public bool Equals(ReplyKey x, ReplyKey y) => x.Subject.SequenceEqual(y.Subject);

        public int GetHashCode(ReplyKey key) => GetHashCode(key.Subject);

        public bool Equals(ReadOnlySpan<byte> alternate, ReplyKey other) => alternate.SequenceEqual(other.Subject);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        // Adding goes through NewKey (a reused buffer), never through the alternate lookup.
        public ReplyKey Create(ReadOnlySpan<byte> alternate) => new(alternate.ToArray(), alternate.Length);
    }
}
