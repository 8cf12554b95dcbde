using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Nats.JetStream.Storage;

/// <summary>Per-subject state: how many live messages, the first and last sequence.</summary>
internal struct SubjectState
{
    public ulong Msgs;
    public ulong First;
    public ulong Last;

    /// <summary>The first was removed and the next one not looked up yet (found lazily).</summary>
    public bool FirstStale;

    /// <summary>The last was removed and the previous one not looked up yet (found lazily).</summary>
    public bool LastStale;
}

/// <summary>
/// Subject → state for every subject with live messages (max_msgs_per_subject, last-by-subject,
/// subject counts). Looked up straight from a record's UTF-8 subject bytes: a subject string is
/// allocated once, when the subject first appears, and reused as the interned subject of reads.
/// Owned by the store's lock.
/// </summary>
internal sealed class SubjectIndex
{
    private readonly Dictionary<string, SubjectState> _map = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SubjectState>.AlternateLookup<ReadOnlySpan<char>> _byChars;

    public SubjectIndex()
    {
        _byChars = _map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _map.Count;

    public Dictionary<string, SubjectState> Map => _map;

    /// <summary>The state of a subject, created empty when absent; <paramref name="subject"/> is the interned string.</summary>
    public ref SubjectState GetOrAdd(ReadOnlySpan<byte> utf8, out string subject)
    {
        char[]? rented = null;
        var chars = utf8.Length <= 512 ? stackalloc char[utf8.Length] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        var n = Encoding.UTF8.GetChars(utf8, chars);
        ref var state = ref CollectionsMarshal.GetValueRefOrAddDefault(_byChars, chars[..n], out var exists);
        if (exists)
        {
            _byChars.TryGetValue(chars[..n], out subject!, out _);
        }
        else
        {
            // GetValueRefOrAddDefault created the key from the span; fetch the string it made.
            _byChars.TryGetValue(chars[..n], out subject!, out _);
        }
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
        // The entry lives in the dictionary, not in the stack buffer the key was decoded into.
        return ref Unsafe.AsRef(ref state);
    }

    /// <summary>The state of a subject, or a null reference when it has no live messages.</summary>
    public ref SubjectState Find(ReadOnlySpan<byte> utf8, out string? subject)
    {
        char[]? rented = null;
        var chars = utf8.Length <= 512 ? stackalloc char[utf8.Length] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        var n = Encoding.UTF8.GetChars(utf8, chars);
        ref var state = ref CollectionsMarshal.GetValueRefOrNullRef(_byChars, chars[..n]);
        subject = null;
        if (!Unsafe.IsNullRef(ref state))
        {
            _byChars.TryGetValue(chars[..n], out subject, out _);
        }
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
        // The entry lives in the dictionary, not in the stack buffer the key was decoded into.
        return ref Unsafe.AsRef(ref state);
    }

    public ref SubjectState Find(string subject) => ref CollectionsMarshal.GetValueRefOrNullRef(_map, subject);

    public void Remove(string subject) => _map.Remove(subject);

    public void Clear() => _map.Clear();
}
