using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// A connection's memo of publish permission decisions by subject, so a steady publisher
/// checks its permissions once per subject rather than once per message. Lookups by span
/// allocate nothing; the cache is cleared when it grows past its bound.
/// </summary>
internal sealed class PermissionCache
{
    private const int MaxEntries = 128;

    private readonly Dictionary<byte[], bool> _entries = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], bool>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public PermissionCache()
    {
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public bool TryGet(ReadOnlySpan<byte> subject, out bool allowed) => _lookup.TryGetValue(subject, out allowed);

    public void Add(ReadOnlySpan<byte> subject, bool allowed)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[subject.ToArray()] = allowed;
    }
}
