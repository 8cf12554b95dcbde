using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Subjects;
using Nats.Core.Logging;

namespace Nats.Core.Accounts;

/// <summary>Wiring imports into the sublists from the accounts' definitions, and the cycle check.</summary>
public sealed partial class AccountRegistry
{
    // nats-server's MaxAccountCycleSearchDepth.
    private const int MaxCycleSearchDepth = 1024;

    /// <summary>Drops expired service-import reply mappings (called periodically).</summary>
    public void PruneExpiredReplies(DateTime now)
    {
        foreach (var import in _serviceImports)
        {
            import.PruneExpired(now);
        }
    }

    /// <summary>
    /// Brings the sublists in line with every account's imports: computes the imports that can
    /// be wired now (in registration order, so the import closing a cycle is the one named),
    /// unwires those no longer wanted and wires the new ones; unchanged imports stay as they are
    /// (a service import keeps its pending replies). <paramref name="strict"/> (start-up) throws
    /// on the first import that cannot be wired; otherwise it is logged and left unwired.
    /// Caller holds <c>_lock</c>.
    /// </summary>
    private void Rewire(bool strict)
    {
        _wired = [];
        var wanted = new Dictionary<ImportKey, ImportConfig>();
        foreach (var importer in _order)
        {
            var complete = true;
            foreach (var import in importer.Definition?.Imports ?? [])
            {
                var problem = Plan(importer, import, out var key);
                if (problem is null)
                {
                    wanted.TryAdd(key!, import);
                }
                else if (strict)
                {
                    throw new ConfigurationException(problem);
                }
                else
                {
                    complete = false;
                    ServerLog.ImportInactive(Logger, problem);
                }
            }
            importer.IsComplete = complete;
        }
        foreach (var key in _live.Keys.Where(k => !wanted.ContainsKey(k)).ToList())
        {
            Unwire(_live[key]);
            _live.Remove(key);
        }
        foreach (var (key, import) in wanted)
        {
            if (!_live.ContainsKey(key))
            {
                _live[key] = Wire(key, import);
            }
        }
        foreach (var account in _accounts.Values)
        {
            account.StreamImports = [.. _live.Values.OfType<StreamImport>().Where(i => ReferenceEquals(i.Importer, account))];
            account.ServiceImports = [.. _live.Values.OfType<ServiceImport>().Where(i => ReferenceEquals(i.Importer, account))];
        }
        _serviceImports = [.. _live.Values.OfType<ServiceImport>()];
    }

    /// <summary>Checks one import against the exporter and the cycle rule; null when it can be wired.</summary>
    private string? Plan(Account importer, ImportConfig import, out ImportKey? key)
    {
        key = null;
        var exporter = Find(import.Account);
        if (exporter is null)
        {
            return $"account \"{importer.Name}\" imports from unknown account \"{import.Account}\"";
        }
        var export = exporter.Exports.FirstOrDefault(e => e.Kind == import.Kind && e.Permits(importer.Name, import.Subject));
        if (export is null)
        {
            return $"account \"{importer.Name}\": {import.Kind.ToString().ToLowerInvariant()} import of \"{import.Subject}\" is not exported by account \"{import.Account}\" to it";
        }
        // Local subject: what the importer sees (stream) or publishes on (service).
        var local = import.Kind == ExportKind.Stream && import.Prefix is not null
            ? import.Prefix.TrimEnd('.') + "." + import.Subject
            : import.To ?? import.Subject;
        if (TransformProblem(import, local) is { } bad)
        {
            return $"account \"{importer.Name}\": error adding {import.Kind.ToString().ToLowerInvariant()} import \"{import.Subject}\": {bad}";
        }
        if (FormsCycle(importer, exporter, import, local))
        {
            return $"account \"{importer.Name}\": error adding {import.Kind.ToString().ToLowerInvariant()} import \"{import.Subject}\": import forms a cycle";
        }
        if (!_wired.TryGetValue(importer, out var wired))
        {
            _wired[importer] = wired = [];
        }
        wired.Add(new WiredImport(import.Kind, exporter, import.Subject, local));
        key = new ImportKey(importer, exporter, import.Kind, import.Subject, import.To, import.Prefix, export.ResponseType);
        return null;
    }

    /// <summary>Why the import's subject transform cannot be built (nats-server's text), or null.</summary>
    private static string? TransformProblem(ImportConfig import, string local)
    {
        if (local == import.Subject)
        {
            return null;
        }
        var (from, to) = import.Kind == ExportKind.Stream ? (import.Subject, local) : (local, import.Subject);
        try
        {
            SubjectTransform.ForImport(from, to);
            return null;
        }
        catch (TransformException e)
        {
            return e.Message;
        }
    }

    private static object Wire(ImportKey key, ImportConfig import)
    {
        if (key.Kind == ExportKind.Stream)
        {
            var transform = import.Prefix is not null ? SubjectTransform.Prefix(import.Subject, import.Prefix)
                : import.To is not null && import.To != import.Subject ? SubjectTransform.ForImport(import.Subject, import.To)
                : null;
            var stream = new StreamImport(key.Importer, key.Exporter, import.Subject, transform);
            key.Exporter.Sublist.Insert(stream.Subscription);
            return stream;
        }
        var service = new ServiceImport(key.Importer, key.Exporter, import.To ?? import.Subject, import.Subject, key.ResponseType, TimeSpan.FromMinutes(2));
        key.Importer.Sublist.Insert(service.RequestSubscription);
        key.Exporter.Sublist.Insert(service.ResponseSubscription);
        return service;
    }

    private static void Unwire(object live)
    {
        switch (live)
        {
            case StreamImport stream:
                stream.Exporter.Sublist.Remove(stream.Subscription);
                break;
            case ServiceImport service:
                service.Importer.Sublist.Remove(service.RequestSubscription);
                service.Exporter.Sublist.Remove(service.ResponseSubscription);
                break;
        }
    }

    /// <summary>
    /// nats-server refuses an import that closes a cycle (A takes from B what B takes from A,
    /// possibly through other accounts): messages would bounce between the accounts. The
    /// walk follows nats-server's streamImportFormsCycle / serviceImportFormsCycle over the
    /// imports wired so far, so the import that closes the cycle is the one named.
    /// </summary>
    private bool FormsCycle(Account importer, Account exporter, ImportConfig import, string local) =>
        import.Kind == ExportKind.Stream
            ? StreamCycle(exporter, local, [importer.Name]) || StreamCycle(exporter, import.Subject, [importer.Name])
            : ServiceCycle(exporter, local, [importer.Name]);

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

    /// <summary>What makes two wirings the same: an import whose key is unchanged is left alone.</summary>
    private sealed record ImportKey(Account Importer, Account Exporter, ExportKind Kind, string Subject, string? To, string? Prefix, ServiceResponseType ResponseType);
}
