using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Nats.Core.Config;

/// <summary>
/// A map value (a <c>{ ... }</c> block, or the whole file). Lookups ignore case because
/// nats-server matches option names case-insensitively; enumeration keeps the original
/// spelling and the order in which keys first appeared. A repeated key (in any case)
/// replaces the earlier value in place: last one wins.
/// </summary>
public sealed class ConfMap : ConfValue, IReadOnlyCollection<ConfEntry>
{
    private readonly List<ConfEntry> _entries;
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates an empty map that starts at <paramref name="position"/>.</summary>
    public ConfMap(ConfPosition position) : base(position)
    {
        _entries = [];
        _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
    }

    private ConfMap(ConfPosition position, ConfMap source) : base(position)
    {
        _entries = source._entries;
        _index = source._index;
    }

    /// <inheritdoc />
    public override ConfValueKind Kind => ConfValueKind.Map;

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <summary>The keys as spelled in the file, in order of first appearance.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <summary>The value for <paramref name="key"/> (any case), or a <see cref="ConfigException"/> at the map's position.</summary>
    public ConfValue this[string key] =>
        TryGet(key, out var value) ? value : throw new ConfigException(Position, $"missing required option '{key}'");

    /// <summary>Whether <paramref name="key"/> is present, in any case.</summary>
    public bool ContainsKey(string key) => _index.ContainsKey(key);

    /// <summary>Finds the value for <paramref name="key"/>, in any case.</summary>
    public bool TryGet(string key, [NotNullWhen(true)] out ConfValue? value)
    {
        value = TryGetEntry(key, out var entry) ? entry.Value : null;
        return value is not null;
    }

    /// <summary>Finds the entry for <paramref name="key"/>, in any case; the entry has the key's position.</summary>
    public bool TryGetEntry(string key, [NotNullWhen(true)] out ConfEntry? entry)
    {
        entry = _index.TryGetValue(key, out var i) ? _entries[i] : null;
        return entry is not null;
    }

    /// <inheritdoc />
    public override ConfMap AsMap() => this;

    /// <inheritdoc />
    public override string Describe() => $"map of {Count} key(s)";

    /// <inheritdoc />
    public IEnumerator<ConfEntry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Set(string key, ConfPosition keyPosition, ConfValue value)
    {
        var entry = new ConfEntry(key, keyPosition, value);
        if (_index.TryGetValue(key, out var i))
        {
            _entries[i] = entry;
            return;
        }
        _index[key] = _entries.Count;
        _entries.Add(entry);
    }

    /// <summary>
    /// Variable lookup: nats-server resolves <c>$name</c> against map keys case-sensitively,
    /// so <c>$port</c> does not see a key spelled <c>PORT</c>.
    /// </summary>
    internal bool TryGetExact(string key, [NotNullWhen(true)] out ConfValue? value)
    {
        value = TryGetEntry(key, out var entry) && string.Equals(entry.Key, key, StringComparison.Ordinal)
            ? entry.Value
            : null;
        return value is not null;
    }

    // Sharing the entries is safe: maps are not modified once their closing '}' is parsed.
    internal override ConfValue RelocateTo(ConfPosition position) => new ConfMap(position, this);
}
