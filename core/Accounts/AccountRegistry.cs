using Nats.Core.Config;
using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// The server's accounts: the global account (<c>$G</c>), the system account, and those
/// declared in configuration, with their imports wired into the sublists.
/// </summary>
public sealed class AccountRegistry
{
    /// <summary>Name of the account that clients without one belong to.</summary>
    public const string GlobalAccountName = "$G";

    private readonly Dictionary<string, Account> _accounts;
    private readonly List<ServiceImport> _serviceImports = [];

    // Imports wired so far, by importing account: what the cycle check walks.
    private readonly Dictionary<Account, List<WiredImport>> _wired = [];

    // nats-server's MaxAccountCycleSearchDepth.
    private const int MaxCycleSearchDepth = 1024;

    private AccountRegistry(Dictionary<string, Account> accounts, Account global, Account? system)
    {
        _accounts = accounts;
        Global = global;
        System = system;
    }

    /// <summary>The global account.</summary>
    public Account Global { get; }

    /// <summary>The system account, unless disabled.</summary>
    public Account? System { get; }

    /// <summary>All accounts.</summary>
    public IReadOnlyCollection<Account> All => _accounts.Values;

    /// <summary>Finds an account by name.</summary>
    public Account? Find(string name) => _accounts.GetValueOrDefault(name);

    /// <summary>
    /// Builds the accounts from configuration, checking every import against the exports
    /// it names. Throws <see cref="ConfigurationException"/> naming the bad import.
    /// </summary>
    public static AccountRegistry Build(AuthOptions auth, bool sublistCache)
    {
        var accounts = new Dictionary<string, Account>(StringComparer.Ordinal);
        foreach (var config in auth.Accounts)
        {
            if (!accounts.TryAdd(config.Name, new Account(config.Name, sublistCache)))
            {
                throw new ConfigurationException($"duplicate account \"{config.Name}\"");
            }
        }
        if (!accounts.TryGetValue(GlobalAccountName, out var global))
        {
            global = new Account(GlobalAccountName, sublistCache);
            accounts.Add(GlobalAccountName, global);
        }
        Account? system = null;
        if (!auth.NoSystemAccount)
        {
            if (!accounts.TryGetValue(auth.SystemAccount, out system))
            {
                system = new Account(auth.SystemAccount, sublistCache);
                accounts.Add(auth.SystemAccount, system);
            }
            system.IsSystem = true;
        }

        var registry = new AccountRegistry(accounts, global, system);
        foreach (var config in auth.Accounts)
        {
            accounts[config.Name].Exports = config.Exports
                .Select(e => new AccountExport(e.Kind, e.Subject, e.Accounts.ToHashSet(StringComparer.Ordinal), ParseResponseType(e.ResponseType)))
                .ToArray();
        }
        foreach (var config in auth.Accounts)
        {
            registry.WireImports(accounts[config.Name], config.Imports);
        }
        CheckUserAccounts(auth, accounts);
        return registry;
    }

    /// <summary>Drops expired service-import reply mappings (called periodically).</summary>
    public void PruneExpiredReplies(DateTime now)
    {
        foreach (var import in _serviceImports)
        {
            import.PruneExpired(now);
        }
    }

    private void WireImports(Account importer, IEnumerable<ImportConfig> imports)
    {
        var streams = new List<StreamImport>();
        var services = new List<ServiceImport>();
        foreach (var import in imports)
        {
            var exporter = Find(import.Account)
                ?? throw new ConfigurationException($"account \"{importer.Name}\" imports from unknown account \"{import.Account}\"");
            var export = exporter.Exports.FirstOrDefault(e => e.Kind == import.Kind && e.Permits(importer.Name, import.Subject))
                ?? throw new ConfigurationException($"account \"{importer.Name}\": {import.Kind.ToString().ToLowerInvariant()} import of \"{import.Subject}\" is not exported by account \"{import.Account}\" to it");
            // Local subject: what the importer sees (stream) or publishes on (service).
            var local = import.Kind == ExportKind.Stream && import.Prefix is not null
                ? import.Prefix.TrimEnd('.') + "." + import.Subject
                : import.To ?? import.Subject;
            CheckForCycle(importer, exporter, import, local);
            if (!_wired.TryGetValue(importer, out var wired))
            {
                _wired[importer] = wired = [];
            }
            wired.Add(new WiredImport(import.Kind, exporter, import.Subject, local));
            if (import.Kind == ExportKind.Stream)
            {
                var transform = import.Prefix is not null ? SubjectTransform.Prefix(import.Subject, import.Prefix)
                    : import.To is not null && import.To != import.Subject ? SubjectTransform.Create(import.Subject, import.To)
                    : null;
                var stream = new StreamImport(importer, exporter, import.Subject, transform);
                exporter.Sublist.Insert(stream.Subscription);
                streams.Add(stream);
            }
            else
            {
                var service = new ServiceImport(importer, exporter, import.To ?? import.Subject, import.Subject, export.ResponseType, TimeSpan.FromMinutes(2));
                importer.Sublist.Insert(service.RequestSubscription);
                exporter.Sublist.Insert(service.ResponseSubscription);
                services.Add(service);
                _serviceImports.Add(service);
            }
        }
        importer.StreamImports = streams;
        importer.ServiceImports = services;
    }

    /// <summary>Checks that every user's account exists (reload validation).</summary>
    internal static void CheckUserAccounts(AuthOptions auth, AccountRegistry registry) => CheckUserAccounts(auth, registry._accounts);

    /// <summary>
    /// nats-server refuses an import that closes a cycle (A takes from B what B takes from A,
    /// possibly through other accounts): messages would bounce between the accounts. The
    /// walk follows nats-server's streamImportFormsCycle / serviceImportFormsCycle over the
    /// imports wired so far, so the import that closes the cycle is the one named.
    /// </summary>
    private void CheckForCycle(Account importer, Account exporter, ImportConfig import, string local)
    {
        var cycle = import.Kind == ExportKind.Stream
            ? StreamCycle(exporter, local, [importer.Name]) || StreamCycle(exporter, import.Subject, [importer.Name])
            : ServiceCycle(exporter, local, [importer.Name]);
        if (cycle)
        {
            throw new ConfigurationException($"account \"{importer.Name}\": error adding {import.Kind.ToString().ToLowerInvariant()} import \"{import.Subject}\": import forms a cycle");
        }
    }

    private bool StreamCycle(Account account, string to, HashSet<string> visited)
    {
        if (visited.Count >= MaxCycleSearchDepth)
        {
            return true; // nats-server refuses such a chain as well
        }
        if (!account.Exports.Any(e => e.Kind == ExportKind.Stream && SubjectMatcher.IsSubsetMatch(to, e.Subject)))
        {
            return false;
        }
        foreach (var import in Wired(account, ExportKind.Stream))
        {
            if (!SubjectMatcher.SubjectsCollide(to, import.Local))
            {
                continue;
            }
            if (visited.Contains(import.Exporter.Name))
            {
                return true;
            }
            visited.Add(account.Name);
            var narrowed = SubjectMatcher.IsSubsetMatch(import.Local, to) ? import.Local : to;
            if (StreamCycle(import.Exporter, narrowed, visited))
            {
                return true;
            }
        }
        return false;
    }

    private bool ServiceCycle(Account account, string from, HashSet<string> visited)
    {
        if (visited.Count >= MaxCycleSearchDepth)
        {
            return true;
        }
        foreach (var import in Wired(account, ExportKind.Service))
        {
            if (!SubjectMatcher.SubjectsCollide(from, import.Remote))
            {
                continue;
            }
            if (visited.Contains(import.Exporter.Name))
            {
                return true;
            }
            visited.Add(account.Name);
            var narrowed = SubjectMatcher.IsSubsetMatch(import.Local, from) ? import.Local : from;
            if (ServiceCycle(import.Exporter, narrowed, visited))
            {
                return true;
            }
        }
        return false;
    }

    private IEnumerable<WiredImport> Wired(Account account, ExportKind kind) =>
        _wired.TryGetValue(account, out var imports) ? imports.Where(i => i.Kind == kind) : [];

    /// <summary>An import as the cycle check sees it: subject in the exporter, subject in the importer.</summary>
    private sealed record WiredImport(ExportKind Kind, Account Exporter, string Remote, string Local);

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
