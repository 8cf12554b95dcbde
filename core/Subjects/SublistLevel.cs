namespace Nats.Core.Subjects;

/// <summary>
/// The children of one trie position: literal tokens in a dictionary, and the two wildcards in
/// dedicated slots so the match walk reaches them without hashing. Guarded by the sublist's lock.
/// </summary>
internal sealed class SublistLevel
{
    private Dictionary<byte[], SublistNode>? _nodes;
    private Dictionary<byte[], SublistNode>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    /// <summary>The <c>*</c> child.</summary>
    public SublistNode? PartialWildcard;

    /// <summary>The <c>&gt;</c> child.</summary>
    public SublistNode? FullWildcard;

    /// <summary>Number of children, wildcards included.</summary>
    public int NodeCount => (_nodes?.Count ?? 0) + (PartialWildcard is null ? 0 : 1) + (FullWildcard is null ? 0 : 1);

    /// <summary>The literal children.</summary>
    public IEnumerable<SublistNode> LiteralNodes => _nodes?.Values ?? Enumerable.Empty<SublistNode>();

    /// <summary>The literal child for a token of a published subject (wildcard slots not consulted).</summary>
    public SublistNode? FindLiteral(ReadOnlySpan<byte> token) =>
        _nodes is not null && _lookup.TryGetValue(token, out var node) ? node : null;

    /// <summary>The child a subscription token lives in: a wildcard slot or a literal child.</summary>
    public SublistNode? Find(ReadOnlySpan<byte> token)
    {
        if (SubjectValidator.IsPartialWildcard(token))
        {
            return PartialWildcard;
        }
        if (SubjectValidator.IsFullWildcard(token))
        {
            return FullWildcard;
        }
        return FindLiteral(token);
    }

    /// <summary>The child for a subscription token, created when missing.</summary>
    public SublistNode GetOrAdd(ReadOnlySpan<byte> token)
    {
        if (SubjectValidator.IsPartialWildcard(token))
        {
            return PartialWildcard ??= new SublistNode();
        }
        if (SubjectValidator.IsFullWildcard(token))
        {
            return FullWildcard ??= new SublistNode();
        }
        if (_nodes is null)
        {
            _nodes = new Dictionary<byte[], SublistNode>(ByteKeyComparer.Instance);
            _lookup = _nodes.GetAlternateLookup<ReadOnlySpan<byte>>();
        }
        if (!_lookup.TryGetValue(token, out var node))
        {
            node = new SublistNode();
            _lookup[token] = node; // Copies the token into a new key array.
        }
        return node;
    }

    /// <summary>Drops the (empty) child <paramref name="node"/> reached by <paramref name="token"/>.</summary>
    public void Prune(SublistNode node, ReadOnlySpan<byte> token)
    {
        if (ReferenceEquals(node, FullWildcard))
        {
            FullWildcard = null;
        }
        else if (ReferenceEquals(node, PartialWildcard))
        {
            PartialWildcard = null;
        }
        else
        {
            _lookup.Remove(token);
        }
    }
}
