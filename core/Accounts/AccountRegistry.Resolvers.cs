using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Logging;

namespace Nats.Core.Accounts;

/// <summary>Resolving accounts the server does not know: the resolver hook and its two callers.</summary>
public sealed partial class AccountRegistry
{
    /// <summary>
    /// Adds a resolver, asked after those added before it when an account is missing. Plugins
    /// call this from Configure (<c>ctx.Accounts.AddAccountResolver(...)</c>).
    /// </summary>
    public void AddAccountResolver(IAccountResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        lock (_lock)
        {
            _resolvers = [.. _resolvers, resolver];
        }
    }

    /// <summary>True when a resolver is registered (a miss may then still find the account).</summary>
    public bool HasResolvers => _resolvers.Length > 0;

    /// <summary>
    /// The account named <paramref name="name"/>: a known one at once, otherwise the first
    /// resolver's answer, registered (raising <see cref="AccountAdded"/>). Null when no resolver
    /// knows it or none answered within <see cref="ResolveTimeout"/>. Client authentication
    /// calls this for the account an authenticator named.
    /// </summary>
    public ValueTask<Account?> FindOrResolveAsync(string name, CancellationToken cancellationToken = default)
    {
        if (Find(name) is { } known)
        {
            return ValueTask.FromResult<Account?>(known);
        }
        if (_resolvers.Length == 0)
        {
            return ValueTask.FromResult<Account?>(null);
        }
        var pending = Resolution(name);
        return pending.IsCompleted ? ValueTask.FromResult(pending.Result) : new ValueTask<Account?>(pending.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// For a link's read loop (an RS+ or RMSG naming an account): the known account at once.
    /// For one only the resolvers may know: null and <paramref name="pending"/>, their answer in
    /// flight (at most <see cref="ResolveTimeout"/>), which the link awaits, pausing its parsing
    /// rather than blocking its thread, before it looks again. Null without
    /// <paramref name="pending"/> when the account cannot be found: the link drops the operation.
    /// </summary>
    public Account? FindForLink(string name, out Task? pending)
    {
        pending = null;
        if (Find(name) is { } known)
        {
            return known;
        }
        if (_resolvers.Length == 0)
        {
            return null;
        }
        var resolution = Resolution(name);
        if (resolution.IsCompleted)
        {
            return resolution.IsCompletedSuccessfully ? resolution.Result : null;
        }
        pending = resolution;
        return null;
    }

    /// <summary>The resolution of <paramref name="name"/> in flight, started if none is.</summary>
    private Task<Account?> Resolution(string name)
    {
        lock (_resolving)
        {
            if (_resolving.TryGetValue(name, out var inFlight))
            {
                return inFlight;
            }
            // The caller missed the account before taking the lock; a resolution may have
            // registered it and left since (it registers, then leaves under this lock), and
            // asking the resolvers again would be a second fetch for one name.
            if (Find(name) is { } registered)
            {
                return Task.FromResult<Account?>(registered);
            }
            var task = ResolveAsync(name);
            // A resolution that finished already removed itself (or had nothing to remove).
            if (!task.IsCompleted)
            {
                _resolving[name] = task;
            }
            return task;
        }
    }

    private async Task<Account?> ResolveAsync(string name)
    {
        try
        {
            using var timeout = new CancellationTokenSource(ResolveTimeout);
            foreach (var resolver in _resolvers)
            {
                AccountConfig? definition;
                try
                {
                    definition = await resolver.ResolveAsync(name, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    ServerLog.ResolverFailed(Logger, resolver.Name, name, ex.Message);
                    continue;
                }
                if (definition is null)
                {
                    continue;
                }
                if (definition.Name != name)
                {
                    ServerLog.ResolverAnsweredOther(Logger, resolver.Name, definition.Name, name);
                    continue;
                }
                try
                {
                    return Register(definition);
                }
                catch (InvalidOperationException)
                {
                    // Registered meanwhile (by another path): that one stands.
                    return Find(name);
                }
            }
            return null;
        }
        finally
        {
            lock (_resolving)
            {
                _resolving.Remove(name);
            }
        }
    }
}
