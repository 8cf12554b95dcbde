using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Nats.Core.Security;

/// <summary>
/// A bounded, least-recently-used set of (password, hash) pairs already proven to match, so a
/// legitimate client that reconnects does not pay bcrypt again.
/// </summary>
/// <remarks>
/// Why this is safe:
/// <list type="bullet">
/// <item>Only successes are stored, and a success can only be produced by someone who knows the
/// password. An attacker therefore cannot fill or churn the cache with guesses, and a wrong
/// guess always pays full bcrypt (failures are never cached: caching them would hand the attacker
/// a way to evict legitimate entries and make repeated guesses cheap for nobody's benefit).</item>
/// <item>An entry states a fact ("this password matches this hash") that never becomes false, so
/// no expiry is needed. Changing a user's password changes the hash, so old entries simply
/// stop matching; the LRU bound pushes them out.</item>
/// <item>A hit is faster than a miss, but only a correct password can hit, so the timing tells
/// the sender nothing it did not already know.</item>
/// <item>Entries are SHA-256 digests, never passwords. The digest is salted with a random
/// per-instance key so that a memory dump cannot be matched against precomputed tables; it is
/// fast to brute-force for a weak password, but whoever can read this process's memory can
/// read passwords arriving in CONNECT anyway.</item>
/// </list>
/// </remarks>
internal sealed class BcryptCache
{
    private readonly int _capacity;
    private readonly byte[] _salt = SecureRandom.GetBytes(32);
    private readonly Dictionary<BcryptCacheKey, LinkedListNode<BcryptCacheKey>> _map;
    private readonly LinkedList<BcryptCacheKey> _lru = new();
    private readonly Lock _lock = new();

    public BcryptCache(int capacity)
    {
        _capacity = capacity;
        _map = new Dictionary<BcryptCacheKey, LinkedListNode<BcryptCacheKey>>(capacity);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    /// <summary>True when this pair was verified before; refreshes its recency.</summary>
    public bool Contains(in BcryptCacheKey key)
    {
        if (_capacity == 0)
        {
            return false;
        }
        lock (_lock)
        {
            if (!_map.TryGetValue(key, out var node))
            {
                return false;
            }
            _lru.Remove(node);
            _lru.AddFirst(node);
            return true;
        }
    }

    /// <summary>Remembers a successful verification, evicting the least recently used entry when full.</summary>
    public void Add(in BcryptCacheKey key)
    {
        if (_capacity == 0)
        {
            return;
        }
        lock (_lock)
        {
            if (_map.ContainsKey(key))
            {
                return;
            }
            if (_map.Count >= _capacity)
            {
                var oldest = _lru.Last!;
                _lru.RemoveLast();
                _map.Remove(oldest.Value);
            }
            _map[key] = _lru.AddFirst(key);
        }
    }

    /// <summary>SHA-256(salt ‖ len(password) ‖ password ‖ hash); the length makes the split unambiguous.</summary>
    public BcryptCacheKey Digest(string password, string hash)
    {
        var pwLength = Encoding.UTF8.GetByteCount(password);
        var total = _salt.Length + 4 + pwLength + Encoding.UTF8.GetByteCount(hash);
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var span = buffer.AsSpan(0, total);
            _salt.CopyTo(span);
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(_salt.Length), pwLength);
            var written = Encoding.UTF8.GetBytes(password, span.Slice(_salt.Length + 4));
            Encoding.UTF8.GetBytes(hash, span.Slice(_salt.Length + 4 + written));
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(span, digest);
            return new BcryptCacheKey(
                BinaryPrimitives.ReadUInt64LittleEndian(digest),
                BinaryPrimitives.ReadUInt64LittleEndian(digest.Slice(8)),
                BinaryPrimitives.ReadUInt64LittleEndian(digest.Slice(16)),
                BinaryPrimitives.ReadUInt64LittleEndian(digest.Slice(24)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, total));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>A salted SHA-256 of a (password, hash) pair: 256 bits, compared by value.</summary>
internal readonly record struct BcryptCacheKey(ulong A, ulong B, ulong C, ulong D);
