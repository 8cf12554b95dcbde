using Nats.Core.Accounts;
using Nats.Core.Subjects;

namespace Nats.Core.Cluster;

/// <summary>
/// The accounts a route's messages name, with a match cache for each, looked up by the
/// account bytes in RMSG without allocating.
/// </summary>
internal sealed class RouteAccountCache
{
    private readonly Dictionary<byte[], State> _states = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], State>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public RouteAccountCache()
    {
        _lookup = _states.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The account <paramref name="name"/> names, or null (with the resolvers' answer <paramref name="pending"/> when one is in flight).</summary>
    public State? Get(ReadOnlySpan<byte> name, RouteManager manager, out Task? pending)
    {
        pending = null;
        // A removed account is looked up again (it may have been registered anew).
        if (_lookup.TryGetValue(name, out var state) && !state.Account.IsRemoved)
        {
            return state;
        }
        var account = manager.FindAccount(name, out pending);
        if (account is null)
        {
            return null;
        }
        state = new State(account, new SublistMatchCache(account.Sublist));
        _states[name.ToArray()] = state;
        return state;
    }

    public sealed record State(Account Account, SublistMatchCache Cache);
}
