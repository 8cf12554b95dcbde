using System.Collections;

namespace Nats.Core.Config;

/// <summary>An array value: <c>[a, b, c]</c> or one item per line.</summary>
public sealed class ConfList : ConfValue, IReadOnlyList<ConfValue>
{
    private readonly List<ConfValue> _items;

    /// <summary>Creates an empty array that starts at <paramref name="position"/>.</summary>
    public ConfList(ConfPosition position) : base(position) => _items = [];

    private ConfList(ConfPosition position, List<ConfValue> items) : base(position) => _items = items;

    /// <inheritdoc />
    public override ConfValueKind Kind => ConfValueKind.List;

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public ConfValue this[int index] => _items[index];

    /// <inheritdoc />
    public override ConfList AsList() => this;

    /// <inheritdoc />
    public override string Describe() => $"array of {Count} item(s)";

    /// <inheritdoc />
    public IEnumerator<ConfValue> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(ConfValue value) => _items.Add(value);

    // Sharing the items is safe: lists are not modified once their closing ']' is parsed.
    internal override ConfValue RelocateTo(ConfPosition position) => new ConfList(position, _items);
}
