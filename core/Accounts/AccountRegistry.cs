using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nats.Core.Config;
using Nats.Core.Logging;

namespace Nats.Core.Accounts;

/// <summary>
/// The server's accounts: the global account (<c>$G</c>), the system account, those declared in
/// configuration, and those added while running (<see cref="Register"/>, a resolver on a miss).
/// Accounts can be updated and removed live; imports are wired into the sublists from the
/// accounts' definitions and re-wired whenever an account changes.
/// </summary>
/// <remarks>
/// Threads: readers (<see cref="Find"/>, <see cref="All"/>) take a copy-on-write snapshot and
/// never lock; writers (register, update, remove, reload) serialize on <c>_lock</c>, which
/// guards every other field. Events are raised after the change, outside the lock, on the
/// writer's thread.
/// </remarks>
public sealed partial class AccountRegistry
{
    /// <summary>Name of the account that clients without one belong to.</summary>
    public const string GlobalAccountName = "$G";

    /// <summary>How long a link waits for a resolver (nats-server's DEFAULT_ACCOUNT_FETCH_TIMEOUT).</summary>
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromMilliseconds(1900);

    private readonly Lock _lock = new();
    private readonly bool _sublistCache;
    // Copy-on-write: replaced whole under _lock, read without it.
    private volatile Dictionary<string, Account> _accounts;
    // Registration order: imports are wired (and cycles named) in this order. Under _lock.
    private readonly List<Account> _order = [];
    // Names that came from the configuration file, which a reload may remove. Under _lock.
    private HashSet<string> _configured = new(StringComparer.Ordinal);

    // Imports as wired in the sublists, by what defines them. Under _lock.
    private readonly Dictionary<ImportKey, object> _live = [];
    // Imports wired by the last rewire, by importing account: what the cycle check walks. Under _lock.
    private Dictionary<Account, List<WiredImport>> _wired = [];
    // The live service imports, for the heartbeat's pruning (a snapshot, replaced under _lock).
    private volatile ServiceImport[] _serviceImports = [];

    // Replaced (before start only) by ReplaceSystem under _lock; read without it.
    private volatile Account? _system;

    // Resolvers, in registration order (copy-on-write under _lock).
    private volatile IAccountResolver[] _resolvers = [];
    // Resolutions in flight, so concurrent misses on one name ask once. Locked on itself.
    private readonly Dictionary<string, Task<Account?>> _resolving = new(StringComparer.Ordinal);

    private AccountRegistry(bool sublistCache, Account global, Account? system)
    {
        _sublistCache = sublistCache;
        Global = global;
        _system = system;
        _accounts = new Dictionary<string, Account>(StringComparer.Ordinal);
    }

    /// <summary>The global account.</summary>
    public Account Global { get; }

    /// <summary>The system account, unless disabled.</summary>
    public Account? System => _system;

    /// <summary>All accounts (a snapshot).</summary>
    public IReadOnlyCollection<Account> All => _accounts.Values;

    /// <summary>Raised after an account was added (<see cref="Register"/>, a resolver, a reload).</summary>
    public event Action<AccountEvent>? AccountAdded;

    /// <summary>Raised after an account's exports, imports or limits changed.</summary>
    public event Action<AccountEvent>? AccountUpdated;

    /// <summary>Raised after an account was removed; the server has closed its clients by then.</summary>
    public event Action<AccountEvent>? AccountRemoved;

    /// <summary>Where problems with runtime imports are logged (set by the server).</summary>
    internal ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>This server's cluster name, for cluster-scoped mappings (set by the server).</summary>
    internal Func<string?> ClusterName { get; set; } = static () => null;

    /// <summary>Finds an account by name (no resolver is asked).</summary>
    public Account? Find(string name) => _accounts.GetValueOrDefault(name);

    /// <summary>
    /// Adds an account. Its imports are wired where the exporter exists and permits them; an
    /// import that cannot be wired yet is logged and wired as soon as a later change allows
    /// it (the exporter is registered, say). Imports of other accounts waiting for this one
    /// are wired now.
    /// </summary>
    /// <param name="definition">Name, exports, imports and limits. The registry keeps the
    /// instance: do not change it afterwards, pass a new one to <see cref="Update"/>.</param>
    /// <exception cref="InvalidOperationException">An account of that name exists.</exception>
    public Account Register(AccountConfig definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(definition.Name);
        Account account;
        lock (_lock)
        {
            if (_accounts.ContainsKey(definition.Name))
            {
                throw new InvalidOperationException($"account \"{definition.Name}\" already exists");
            }
            account = Add(definition);
            Rewire(strict: false);
        }
        AccountAdded?.Invoke(new AccountEvent(account));
        return account;
    }

    /// <summary>
    /// Replaces an account's exports, imports and limits. Clients keep their connections: a new
    /// import takes effect for them at once, a removed one stops. Imports other accounts take
    /// from this one are checked again; those no longer permitted stop (and resume if a later
    /// update permits them again).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No account of that name.</exception>
    public Account Update(AccountConfig definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Account account;
        AccountConfig? previous;
        lock (_lock)
        {
            account = Find(definition.Name) ?? throw new KeyNotFoundException($"account \"{definition.Name}\" does not exist");
            previous = account.Definition;
            Define(account, definition);
            Rewire(strict: false);
        }
        AccountUpdated?.Invoke(new AccountEvent(account, previous));
        return account;
    }

    /// <summary>
    /// Removes an account: its clients are disconnected, its imports and the imports others
    /// took from it stop. Returns false when there is no such account.
    /// </summary>
    /// <exception cref="InvalidOperationException">The global or the system account.</exception>
    public bool Remove(string name)
    {
        Account? account;
        lock (_lock)
        {
            account = Find(name);
            if (account is null)
            {
                return false;
            }
            if (ReferenceEquals(account, Global) || ReferenceEquals(account, System))
            {
                throw new InvalidOperationException($"account \"{name}\" cannot be removed");
            }
            RemoveLocked(account);
            Rewire(strict: false);
        }
        AccountRemoved?.Invoke(new AccountEvent(account));
        return true;
    }

    /// <summary>
    /// Renames the system account: an empty system account named <paramref name="name"/> takes the
    /// place of the configured one. For <see cref="NatsServer.UseSystemAccount"/>, before start.
    /// </summary>
    internal Account ReplaceSystem(string name)
    {
        Account replacement;
        lock (_lock)
        {
            var old = _system ?? throw new InvalidOperationException("the system account is disabled (no_system_account)");
            if (old.Name == name)
            {
                return old;
            }
            if (_accounts.ContainsKey(name))
            {
                throw new InvalidOperationException($"account \"{name}\" already exists");
            }
            RemoveLocked(old);
            replacement = new Account(name, _sublistCache) { IsSystem = true };
            Adopt(replacement, new AccountConfig { Name = name });
            _system = replacement;
            Rewire(strict: false);
        }
        return replacement;
    }

    /// <summary>
    /// Builds the accounts from configuration, checking every import against the exports
    /// it names. Throws <see cref="ConfigurationException"/> naming the bad import.
    /// </summary>
    public static AccountRegistry Build(AuthOptions auth, bool sublistCache)
    {
        var configured = new HashSet<string>(StringComparer.Ordinal);
        foreach (var config in auth.Accounts)
        {
            if (!configured.Add(config.Name))
            {
                throw new ConfigurationException($"duplicate account \"{config.Name}\"");
            }
        }
        var definitions = auth.Accounts.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var global = new Account(GlobalAccountName, sublistCache);
        Account? system = null;
        if (!auth.NoSystemAccount)
        {
            system = new Account(auth.SystemAccount, sublistCache) { IsSystem = true };
        }
        var registry = new AccountRegistry(sublistCache, global, system);
        lock (registry._lock)
        {
            foreach (var config in auth.Accounts)
            {
                if (config.Name == global.Name)
                {
                    registry.Adopt(global, WithGlobalMappings(config, auth));
                }
                else if (config.Name == system?.Name)
                {
                    registry.Adopt(system, config);
                }
                else
                {
                    registry.Add(config);
                }
            }
            if (!definitions.ContainsKey(global.Name))
            {
                registry.Adopt(global, WithGlobalMappings(new AccountConfig { Name = global.Name }, auth));
            }
            if (system is not null && !definitions.ContainsKey(system.Name))
            {
                registry.Adopt(system, new AccountConfig { Name = system.Name });
            }
            registry._configured = configured;
            registry.Rewire(strict: true);
        }
        CheckUserAccounts(auth, registry._accounts);
        return registry;
    }

    /// <summary>
    /// A reload's accounts, already validated with <see cref="Build"/>: accounts gone from the
    /// file are removed (their clients disconnected), new ones added, changed ones updated.
    /// Accounts added at runtime (resolvers, plugins) stay.
    /// </summary>
    internal void ApplyConfiguration(AuthOptions auth)
    {
        var added = new List<Account>();
        var updated = new List<AccountEvent>();
        var removed = new List<Account>();
        lock (_lock)
        {
            var names = auth.Accounts.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in _configured.Where(n => !names.Contains(n)))
            {
                if (Find(name) is not { } account)
                {
                    continue;
                }
                if (ReferenceEquals(account, Global) || ReferenceEquals(account, System))
                {
                    var previous = account.Definition;
                    Define(account, new AccountConfig { Name = name });
                    updated.Add(new AccountEvent(account, previous));
                    continue;
                }
                RemoveLocked(account);
                removed.Add(account);
            }
            foreach (var config in auth.Accounts)
            {
                if (Find(config.Name) is { } account)
                {
                    var previous = account.Definition;
                    if (previous is null || !ConfigValues.Same(previous, config))
                    {
                        updated.Add(new AccountEvent(account, previous));
                    }
                    Define(account, config);
                }
                else
                {
                    added.Add(Add(config));
                }
            }
            // Top-level mappings belong to the global account, which the accounts block never names.
            if (!names.Contains(Global.Name) && Global.Definition is { } globalDefinition &&
                !ConfigValues.Same(globalDefinition.Mappings, auth.Mappings))
            {
                var replaced = WithGlobalMappings(globalDefinition with { }, auth, replace: true);
                Define(Global, replaced);
                updated.Add(new AccountEvent(Global, globalDefinition));
            }
            // Wire in file order first, as at start, then what was added at runtime.
            var byName = auth.Accounts.Select(a => Find(a.Name)!).ToList();
            var rest = _order.Where(a => !names.Contains(a.Name)).ToList();
            _order.Clear();
            _order.AddRange(byName);
            _order.AddRange(rest);
            _configured = names;
            Rewire(strict: false);
        }
        foreach (var account in removed)
        {
            AccountRemoved?.Invoke(new AccountEvent(account));
        }
        foreach (var account in added)
        {
            AccountAdded?.Invoke(new AccountEvent(account));
        }
        foreach (var change in updated)
        {
            AccountUpdated?.Invoke(change);
        }
    }

    /// <summary>Creates and publishes an account. Caller holds <c>_lock</c>.</summary>
    private Account Add(AccountConfig definition)
    {
        var account = new Account(definition.Name, _sublistCache);
        Adopt(account, definition);
        return account;
    }

    /// <summary>Defines and publishes <paramref name="account"/>. Caller holds <c>_lock</c>.</summary>
    private void Adopt(Account account, AccountConfig definition)
    {
        Define(account, definition);
        _order.Add(account);
        _accounts = new Dictionary<string, Account>(_accounts, StringComparer.Ordinal) { [account.Name] = account };
    }

    private void Define(Account account, AccountConfig definition)
    {
        account.Definition = definition;
        account.DefinedAt = DateTime.UtcNow;
        account.Limits = definition.Limits;
        account.Registry = this;
        account.Mappings = BuildMappings(account.Name, WithAdded(definition.Mappings, account.AddedMappings));
        account.Exports = definition.Exports
            .Select(e => new AccountExport(e.Kind, e.Subject, e.Accounts.ToHashSet(StringComparer.Ordinal), ParseResponseType(e.ResponseType)))
            .ToArray();
    }

    /// <summary>The configured mappings, then those added by the server whose source none of them maps.</summary>
    private static List<MappingConfig> WithAdded(List<MappingConfig> configured, IReadOnlyList<MappingConfig> added)
    {
        if (added.Count == 0)
        {
            return configured;
        }
        var sources = configured.Select(m => m.Source).ToHashSet(StringComparer.Ordinal);
        return [.. configured, .. added.Where(m => !sources.Contains(m.Source))];
    }

    /// <summary>
    /// Adds subject mappings that the server itself brings to <paramref name="account"/> (JetStream's
    /// domain mappings, <see cref="JetStreamDomainMappings"/>), as nats-server's <c>AddMapping</c> by
    /// a subsystem: they apply with the configured ones, are kept when the account is defined again
    /// (a reload, a JWT update), and a configured mapping of the same source wins. A source already
    /// added is left as it is. Raises <see cref="AccountUpdated"/> when something was added, so
    /// links announce the new sources.
    /// </summary>
    /// <returns>The mappings actually added (empty when all were there).</returns>
    public IReadOnlyList<MappingConfig> AddMappings(Account account, IReadOnlyList<MappingConfig> mappings)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(mappings);
        List<MappingConfig> added;
        AccountConfig? definition;
        lock (_lock)
        {
            var present = account.AddedMappings.Select(m => m.Source)
                .Concat(account.Definition?.Mappings.Select(m => m.Source) ?? [])
                .ToHashSet(StringComparer.Ordinal);
            added = [.. mappings.Where(m => present.Add(m.Source))];
            if (added.Count == 0)
            {
                return [];
            }
            account.AddedMappings = [.. account.AddedMappings, .. added];
            definition = account.Definition;
            account.Mappings = BuildMappings(account.Name, WithAdded(definition?.Mappings ?? [], account.AddedMappings));
        }
        AccountUpdated?.Invoke(new AccountEvent(account, definition));
        return added;
    }

    /// <summary>
    /// The account's mappings; one that cannot be built (a JWT's: configuration files are
    /// checked when bound) is logged and left out, as nats-server ignores it.
    /// </summary>
    private SubjectMappings? BuildMappings(string account, List<MappingConfig> mappings)
    {
        var usable = new List<MappingConfig>(mappings.Count);
        foreach (var mapping in mappings)
        {
            if (SubjectMappings.Problem(mapping) is { } problem)
            {
                ServerLog.MappingRejected(Logger, account, mapping.Source, problem);
                continue;
            }
            usable.Add(mapping);
        }
        return SubjectMappings.Create(usable);
    }

    private static AccountConfig WithGlobalMappings(AccountConfig definition, AuthOptions auth, bool replace = false)
    {
        if (replace)
        {
            definition.Mappings = [.. auth.Mappings];
        }
        else if (auth.Mappings.Count > 0)
        {
            definition.Mappings = [.. definition.Mappings, .. auth.Mappings];
        }
        return definition;
    }

    private void RemoveLocked(Account account)
    {
        var accounts = new Dictionary<string, Account>(_accounts, StringComparer.Ordinal);
        accounts.Remove(account.Name);
        _accounts = accounts;
        _order.Remove(account);
        account.IsRemoved = true;
    }

    /// <summary>Exports, imports and limits alike (what the kernel acts on).</summary>
    private static void CheckUserAccounts(AuthOptions auth, Dictionary<string, Account> accounts)
    {
        foreach (var name in auth.Users.Select(u => u.Account).Concat(auth.NKeys.Select(n => n.Account)))
        {
            if (name is not null && !accounts.ContainsKey(name))
            {
                throw new ConfigurationException($"user refers to unknown account \"{name}\"");
            }
        }
        // nats-server's validateNoAuthUser: refuse to start rather than announce "no auth
        // required" and then refuse every client that takes the offer.
        if (auth.NoAuthUser is { } noAuthUser)
        {
            if (auth.Users.Count == 0 && auth.NKeys.Count == 0)
            {
                throw new ConfigurationException($"no_auth_user: \"{noAuthUser}\" present, but users/nkeys are not defined");
            }
            if (!auth.Users.Exists(u => u.Username == noAuthUser) && !auth.NKeys.Exists(n => n.PublicKey == noAuthUser))
            {
                throw new ConfigurationException($"no_auth_user: \"{noAuthUser}\" not present as user or nkey in authorization block or account configuration");
            }
        }
    }

    private static ServiceResponseType ParseResponseType(string value) => value.ToLowerInvariant() switch
    {
        "stream" => ServiceResponseType.Stream,
        "chunked" => ServiceResponseType.Chunked,
        _ => ServiceResponseType.Singleton,
    };
}
