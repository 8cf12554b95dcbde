using Nats.Core.Config;

namespace Nats.Core.Accounts;

/// <summary>
/// Answers for accounts the server does not know yet (nats-server's account resolver: a JWT
/// resolver, a directory, an HTTP service). Registered with
/// <see cref="AccountRegistry.AddAccountResolver"/>; asked, in registration order, when a client
/// authenticates into an unknown account (<see cref="AccountRegistry.FindOrResolveAsync"/>) and
/// when a route names one in RS+ or RMSG (<see cref="AccountRegistry.FindForLink"/>).
/// </summary>
/// <remarks>
/// Must be thread-safe. Concurrent misses on one name are folded into one call. A resolver that
/// learns later that an account changed or was revoked calls <see cref="AccountRegistry.Update"/>
/// or <see cref="AccountRegistry.Remove"/>.
/// </remarks>
public interface IAccountResolver
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>
    /// The definition of account <paramref name="name"/> (exports, imports, limits), or null when
    /// this resolver does not know it (the next resolver is asked). The registry registers it.
    /// </summary>
    ValueTask<AccountConfig?> ResolveAsync(string name, CancellationToken cancellationToken);
}

/// <summary>What <see cref="AccountRegistry"/> raises when an account is added, updated or removed.</summary>
/// <param name="Account">The account (for a removal: the removed object, already marked <see cref="Account.IsRemoved"/>).</param>
/// <param name="Previous">For an update: the definition before it; otherwise null.</param>
public sealed record AccountEvent(Account Account, AccountConfig? Previous = null);
