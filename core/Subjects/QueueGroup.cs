using System.Text;

namespace Nats.Core.Subjects;

/// <summary>
/// The members of one queue group that match a subject, as part of a <see cref="SublistResult"/>.
/// A message goes to one member; <see cref="PickIndex(uint)"/> chooses it at random, giving each
/// member a chance proportional to its <see cref="Subscription.QueueWeight"/>. Immutable.
/// </summary>
/// <remarks>
/// Weights are read when the group is built. A change of weight must go through
/// <see cref="Sublist.UpdateQueueWeight"/> so that cached results are rebuilt.
/// </remarks>
public sealed class QueueGroup
{
    private readonly byte[] _name;
    private readonly Subscription[] _members;

    // Running sums of the weights, null when every weight is 1 (the common case, picked with
    // a multiply instead of a search).
    private readonly long[]? _cumulative;

    internal QueueGroup(byte[] name, Subscription[] members)
    {
        _name = name;
        _members = members;
        long total = 0;
        long[]? cumulative = null;
        for (var i = 0; i < members.Length; i++)
        {
            var w = WeightOf(members[i]);
            if (w != 1 && cumulative is null)
            {
                cumulative = new long[members.Length];
                for (var j = 0; j < i; j++)
                {
                    cumulative[j] = j + 1;
                }
            }
            total += w;
            if (cumulative is not null)
            {
                cumulative[i] = total;
            }
        }
        _cumulative = cumulative;
        TotalWeight = total;
    }

    /// <summary>The queue group name (UTF-8).</summary>
    public ReadOnlySpan<byte> Name => _name;

    /// <summary>The queue group name as a string (allocates; for monitoring and logs).</summary>
    public string NameString => Encoding.UTF8.GetString(_name);

    /// <summary>The matching members, each once whatever its weight.</summary>
    public ReadOnlySpan<Subscription> Members => _members;

    /// <summary>The number of members.</summary>
    public int Count => _members.Length;

    /// <summary>The sum of the members' weights: how many receivers the group stands for.</summary>
    public long TotalWeight { get; }

    /// <summary>
    /// Picks a member index from a uniformly random 32-bit value, honouring weights. Callers
    /// that cannot deliver to the chosen member try the next ones, <c>(index + i) % Count</c>,
    /// as nats-server does.
    /// </summary>
    public int PickIndex(uint random)
    {
        if (_cumulative is null)
        {
            // Multiply-shift maps [0, 2^32) onto [0, Count) without a division.
            return (int)(((ulong)random * (uint)_members.Length) >> 32);
        }
        // target = random * total / 2^32, in [0, total): the high half of a 128-bit product.
        var target = (long)Math.BigMul((ulong)random << 32, (ulong)TotalWeight, out _);
        return IndexOfWeight(target);
    }

    /// <summary>Picks a member from a uniformly random 32-bit value, honouring weights.</summary>
    public Subscription PickMember(uint random) => _members[PickIndex(random)];

    /// <summary>Picks a member using <paramref name="random"/>, honouring weights.</summary>
    public Subscription PickMember(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (_cumulative is null)
        {
            return _members[random.Next(_members.Length)];
        }
        return _members[IndexOfWeight(random.NextInt64(TotalWeight))];
    }

    /// <summary>True when <paramref name="name"/> is this group's name.</summary>
    public bool HasName(ReadOnlySpan<byte> name) => name.SequenceEqual(_name);

    /// <inheritdoc />
    public override string ToString() => $"{NameString} ({Count} members, weight {TotalWeight})";

    internal Subscription[] MemberArray => _members;

    internal byte[] NameArray => _name;

    /// <summary>The weight a member counts for: at least 1.</summary>
    internal static long WeightOf(Subscription sub) => Math.Max(1, sub.QueueWeight);

    /// <summary>A copy with <paramref name="sub"/> added.</summary>
    internal QueueGroup WithAdded(Subscription sub) => new(_name, CopyOnWrite.Append(_members, sub));

    /// <summary>A copy without <paramref name="sub"/>; null when it was the last member; this when absent.</summary>
    internal QueueGroup? WithRemoved(Subscription sub)
    {
        var i = Array.IndexOf(_members, sub);
        if (i < 0)
        {
            return this;
        }
        return _members.Length == 1 ? null : new QueueGroup(_name, CopyOnWrite.RemoveAt(_members, i));
    }

    private int IndexOfWeight(long target)
    {
        // First member whose running sum exceeds target. Sums strictly increase, so an exact
        // hit at i means target belongs to member i + 1.
        var i = _cumulative.AsSpan().BinarySearch(target);
        return i >= 0 ? i + 1 : ~i;
    }
}
