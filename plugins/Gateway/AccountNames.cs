using System.Collections.Concurrent;
using System.Text;
using Nats.Core.Accounts;

namespace Nats.Gateway;

/// <summary>
/// Accounts by their wire name and wire names by account, without allocating per message:
/// RMSG/RS+ carry the account as bytes, and RMSG/RS+ lines going out need its name's bytes.
/// </summary>
/// <remarks>Any thread. Entries are added on first use; an account removed at runtime is
/// forgotten (<see cref="Forget"/>).</remarks>
internal sealed class AccountNames
{
    private readonly AccountRegistry _registry;
    private readonly ConcurrentDictionary<byte[], Account> _byName = new(ByteKey.Comparer);
    private readonly ConcurrentDictionary<Account, byte[]> _names = new();

    public AccountNames(AccountRegistry registry)
    {
        _registry = registry;
    }

    /// <summary>The account named <paramref name="name"/>, or null when the server has none.</summary>
    public Account? Find(ReadOnlySpan<byte> name)
    {
        var lookup = _byName.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(name, out var account))
        {
            return account;
        }
        account = _registry.Find(Encoding.UTF8.GetString(name));
        if (account is not null)
        {
            _byName[name.ToArray()] = account;
        }
        return account;
    }

    /// <summary>The account's name as UTF-8 (cached).</summary>
    public byte[] NameOf(Account account) =>
        _names.TryGetValue(account, out var name) ? name : _names.GetOrAdd(account, a => Encoding.UTF8.GetBytes(a.Name));

    /// <summary>Drops a removed account.</summary>
    public void Forget(Account account)
    {
        _names.TryRemove(account, out _);
        foreach (var pair in _byName)
        {
            if (ReferenceEquals(pair.Value, account))
            {
                _byName.TryRemove(pair.Key, out _);
            }
        }
    }
}
