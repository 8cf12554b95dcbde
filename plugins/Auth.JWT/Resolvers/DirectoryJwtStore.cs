using System.Security.Cryptography;
using System.Text;
using Nats.AuthJwt.Config;
using Nats.AuthJwt.Jwt;
using Nats.Core.Security;

namespace Nats.AuthJwt.Resolvers;

/// <summary>
/// The full/cache directory resolver's store, laid out as nats-server's <c>DirJWTStore</c>:
/// one <c>&lt;dir&gt;/&lt;pubkey&gt;.jwt</c> per account. It tracks every file's SHA-256 and keeps
/// their XOR as the store hash the cluster compares; a full store refuses new keys past its limit
/// ("jwt store is full"), a cache evicts the least recently used; entries expire with their JWT,
/// or after the cache's TTL (<see cref="RemoveExpired"/>). Deletes rename to <c>.jwt.deleted</c>
/// or remove, per <see cref="DeleteMode"/>.
/// </summary>
/// <remarks>
/// File I/O is synchronous: callers run it off the I/O threads (the resolver's request handlers
/// in part 2 do). Thread-safe: one lock guards the index and the files.
/// </remarks>
public sealed class DirectoryJwtStore
{
    private const string FileExtension = ".jwt";

    private readonly object _lock = new();
    // Owned under _lock: key → tracked entry; the LRU order for eviction (most recent last).
    private readonly Dictionary<string, Entry> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _lru = new();
    private readonly byte[] _hash = new byte[32];

    /// <summary>Opens (creating when missing) <paramref name="directory"/> and indexes the JWT files in it.</summary>
    public DirectoryJwtStore(string directory, DeleteMode delete, long limit, bool evictOnLimit, TimeSpan ttl, Func<DateTimeOffset>? clock = null)
    {
        Directory.CreateDirectory(directory);
        DirectoryPath = Path.GetFullPath(directory);
        Delete = delete;
        Limit = limit <= 0 ? long.MaxValue : limit;
        EvictOnLimit = evictOnLimit;
        Ttl = ttl;
        Clock = clock ?? (() => DateTimeOffset.UtcNow);
        foreach (var path in Directory.EnumerateFiles(DirectoryPath, "*" + FileExtension).Order(StringComparer.Ordinal))
        {
            var jwt = File.ReadAllText(path);
            Track(Path.GetFileNameWithoutExtension(path), jwt);
        }
    }

    /// <summary>For a full store built from options.</summary>
    public static DirectoryJwtStore Open(DirectoryResolverOptions options) =>
        new(options.Directory, options.Delete, options.Limit, evictOnLimit: options.IsCache, options.IsCache ? options.Ttl : TimeSpan.Zero);

    /// <summary>The directory the <c>&lt;key&gt;.jwt</c> files are in.</summary>
    public string DirectoryPath { get; }

    /// <summary>What a delete does.</summary>
    public DeleteMode Delete { get; }

    /// <summary>The most JWTs the store holds (<c>limit</c>).</summary>
    public long Limit { get; }

    /// <summary>True for a cache: at the limit the least recently used JWT is evicted; false: new ones are refused.</summary>
    public bool EvictOnLimit { get; }

    /// <summary>How long a cached JWT is kept (<c>ttl</c>); zero keeps it.</summary>
    public TimeSpan Ttl { get; }

    private Func<DateTimeOffset> Clock { get; }

    /// <summary>Raised (outside the lock) with the key whose stored JWT changed.</summary>
    public event Action<string>? Changed;

    /// <summary>Raised (outside the lock) with the key that was deleted.</summary>
    public event Action<string>? Deleted;

    /// <summary>How many JWTs are tracked.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>The XOR of every tracked JWT's SHA-256: equal stores have equal hashes (what <c>$SYS.REQ.CLAIMS.PACK</c> sends).</summary>
    public byte[] Hash()
    {
        lock (_lock)
        {
            return (byte[])_hash.Clone();
        }
    }

    /// <summary>The stored JWT, or null when there is none.</summary>
    /// <exception cref="AccountResolverException">The key is not a valid public key.</exception>
    public string? Load(string publicKey)
    {
        var path = PathFor(publicKey) ?? throw new AccountResolverException("invalid public key");
        lock (_lock)
        {
            if (!File.Exists(path))
            {
                return null;
            }
            var jwt = File.ReadAllText(path);
            Touch(publicKey);
            return jwt;
        }
    }

    /// <summary>Writes <paramref name="jwt"/> as is (nats-server's <c>save</c>); false when the same JWT was already stored.</summary>
    public bool Save(string publicKey, string jwt)
    {
        var path = PathFor(publicKey) ?? throw new AccountResolverException("invalid public key");
        bool changed;
        lock (_lock)
        {
            changed = Write(path, publicKey, jwt);
        }
        if (changed)
        {
            Changed?.Invoke(publicKey);
        }
        return changed;
    }

    /// <summary>
    /// nats-server's <c>saveIfNewer</c>: replaces a stored JWT only with a different one issued
    /// no earlier, for the same subject; an older or identical JWT is ignored (false).
    /// </summary>
    public bool SaveIfNewer(string publicKey, string jwt)
    {
        var path = PathFor(publicKey) ?? throw new AccountResolverException("invalid public key");
        if (File.Exists(path))
        {
            var incoming = DecodeGeneric(jwt);
            string existingText;
            lock (_lock)
            {
                existingText = File.ReadAllText(path);
            }
            if (TryDecodeGeneric(existingText) is { } existing)
            {
                if (existing.Id == incoming.Id || existing.IssuedAt > incoming.IssuedAt)
                {
                    return false;
                }
                if (incoming.Subject != publicKey)
                {
                    throw new AccountResolverException("jwt subject nkey and provided nkey do not match");
                }
                if (existing.Subject != incoming.Subject)
                {
                    throw new AccountResolverException("subject of existing and new jwt do not match");
                }
            }
        }
        return Save(publicKey, jwt);
    }

    /// <summary>nats-server's <c>delete</c>: per the delete mode; a missing file is no error.</summary>
    public void Remove(string publicKey)
    {
        if (Delete == DeleteMode.NoDelete)
        {
            throw new AccountResolverException("store is not set up to for delete");
        }
        var path = PathFor(publicKey) ?? throw new AccountResolverException("invalid public key");
        lock (_lock)
        {
            if (!File.Exists(path))
            {
                return;
            }
            if (Delete == DeleteMode.RenameDeleted)
            {
                File.Move(path, path + ".deleted", overwrite: true);
            }
            else
            {
                File.Delete(path);
            }
            Untrack(publicKey);
        }
        Deleted?.Invoke(publicKey);
    }

    /// <summary>Removes the entries whose time is up (their JWT expired, or the cache TTL passed); returns their keys.</summary>
    public IReadOnlyList<string> RemoveExpired()
    {
        var now = Clock();
        var removed = new List<string>();
        lock (_lock)
        {
            foreach (var (key, entry) in _index.Where(e => e.Value.ExpiresAt <= now).ToList())
            {
                var path = PathFor(key);
                if (path is not null)
                {
                    File.Delete(path);
                }
                Untrack(key);
                removed.Add(key);
            }
        }
        return removed;
    }

    /// <summary>nats-server's <c>PackWalk</c>: <c>pubkey|jwt</c> lines of tracked, unexpired JWTs, handed out <paramref name="maxPerMessage"/> lines at a time.</summary>
    public void PackWalk(int maxPerMessage, Action<string> onPart)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerMessage, 1);
        var lines = new List<string>();
        foreach (var (key, jwt) in Snapshot())
        {
            lines.Add(ClaimsPack.Line(key, jwt));
            if (lines.Count == maxPerMessage)
            {
                onPart(string.Join('\n', lines));
                lines.Clear();
            }
        }
        if (lines.Count > 0)
        {
            onPart(string.Join('\n', lines));
        }
    }

    /// <summary>nats-server's <c>Pack</c>: every line at once (at most <paramref name="max"/>; negative for all).</summary>
    public string Pack(int max = -1) =>
        string.Join('\n', Snapshot().Take(max < 0 ? int.MaxValue : max).Select(e => ClaimsPack.Line(e.Key, e.Jwt)));

    /// <summary>nats-server's <c>Merge</c>: saves each line's JWT if newer; the first bad line stops with its error.</summary>
    public void Merge(string pack)
    {
        foreach (var (key, jwt) in ClaimsPack.Parse(pack))
        {
            SaveIfNewer(key, jwt);
        }
    }

    private List<(string Key, string Jwt)> Snapshot()
    {
        var now = Clock().ToUnixTimeSeconds();
        var result = new List<(string, string)>();
        lock (_lock)
        {
            foreach (var key in _index.Keys.Order(StringComparer.Ordinal))
            {
                var path = PathFor(key)!;
                if (!File.Exists(path))
                {
                    continue;
                }
                var jwt = File.ReadAllText(path);
                if (jwt.Length == 0 || (TryDecodeGeneric(jwt) is { Expires: > 0 } g && g.Expires < now))
                {
                    continue;
                }
                result.Add((key, jwt));
            }
        }
        return result;
    }

    private bool Write(string path, string publicKey, string jwt)
    {
        if (jwt.Length == 0)
        {
            throw new AccountResolverException("invalid JWT");
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(jwt));
        if (_index.TryGetValue(publicKey, out var existing))
        {
            Touch(publicKey);
            if (existing.Hash.AsSpan().SequenceEqual(hash))
            {
                return false;
            }
        }
        else if (_index.Count >= Limit)
        {
            if (!EvictOnLimit)
            {
                throw new AccountResolverException("jwt store is full");
            }
            var oldest = _lru.First!.Value;
            File.Delete(PathFor(oldest)!);
            Untrack(oldest);
        }
        File.WriteAllText(path, jwt);
        Track(publicKey, jwt, hash);
        return true;
    }

    private void Track(string key, string jwt, byte[]? hash = null)
    {
        hash ??= SHA256.HashData(Encoding.UTF8.GetBytes(jwt));
        if (_index.Remove(key, out var old))
        {
            Xor(old.Hash);
            _lru.Remove(old.Node);
        }
        var node = _lru.AddLast(key);
        _index[key] = new Entry(hash, ExpiryOf(jwt), node);
        Xor(hash);
    }

    private void Untrack(string key)
    {
        if (_index.Remove(key, out var entry))
        {
            Xor(entry.Hash);
            _lru.Remove(entry.Node);
        }
    }

    private void Touch(string key)
    {
        if (!_index.TryGetValue(key, out var entry))
        {
            return;
        }
        if (Ttl != TimeSpan.Zero)
        {
            _index[key] = entry with { ExpiresAt = Clock() + Ttl };
        }
        if (EvictOnLimit)
        {
            _lru.Remove(entry.Node);
            _lru.AddLast(entry.Node);
        }
    }

    private DateTimeOffset ExpiryOf(string jwt)
    {
        if (Ttl != TimeSpan.Zero)
        {
            return Clock() + Ttl;
        }
        return TryDecodeGeneric(jwt) is { Expires: > 0 } claims ? DateTimeOffset.FromUnixTimeSeconds(claims.Expires) : DateTimeOffset.MaxValue;
    }

    private void Xor(byte[] hash)
    {
        for (var i = 0; i < _hash.Length; i++)
        {
            _hash[i] ^= hash[i];
        }
    }

    private string? PathFor(string publicKey) =>
        publicKey.Length < 2 || !NKeys.IsValidPublicKey(publicKey) ? null : Path.Combine(DirectoryPath, publicKey + FileExtension);

    private static Jwt.Claims.GenericClaims DecodeGeneric(string jwt)
    {
        try
        {
            return JwtCodec.DecodeGeneric(jwt);
        }
        catch (JwtException e)
        {
            throw new AccountResolverException(e.Message, e);
        }
    }

    private static Jwt.Claims.GenericClaims? TryDecodeGeneric(string jwt)
    {
        try
        {
            return JwtCodec.DecodeGeneric(jwt);
        }
        catch (JwtException)
        {
            return null;
        }
    }

    private sealed record Entry(byte[] Hash, DateTimeOffset ExpiresAt, LinkedListNode<string> Node);
}
