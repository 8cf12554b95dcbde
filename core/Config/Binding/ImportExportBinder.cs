using Nats.Core.Subjects;

namespace Nats.Core.Config.Binding;

/// <summary>
/// An account's <c>exports</c> (<c>{stream|service: subject, accounts: [...], response_type}</c>)
/// and <c>imports</c> (<c>{stream: {account, subject}, prefix|to}</c>,
/// <c>{service: {account, subject}, to}</c>), as nats-server's parsers read them.
/// </summary>
internal static class ImportExportBinder
{
    public static List<(ExportConfig Export, ConfPosition Position)> BindExports(ConfEntry entry, BindContext ctx)
    {
        var exports = new List<(ExportConfig, ConfPosition)>();
        if (entry.Value is not ConfList list)
        {
            ctx.Error(entry, $"Exports should be an array, got {GoText.TypeName(entry.Value)}");
            return exports;
        }
        foreach (var item in list)
        {
            if (item is not ConfMap map)
            {
                ctx.Error(item.Position, $"Export Items should be a map with type entry, got {GoText.TypeName(item)}");
                continue;
            }
            if (BindExport(map, ctx) is { } export)
            {
                exports.Add((export, map.Position));
            }
        }
        return exports;
    }

    public static List<(ImportConfig Import, ConfPosition Position)> BindImports(ConfEntry entry, BindContext ctx)
    {
        var imports = new List<(ImportConfig, ConfPosition)>();
        if (entry.Value is not ConfList list)
        {
            ctx.Error(entry, $"Imports should be an array, got {GoText.TypeName(entry.Value)}");
            return imports;
        }
        var serviceSubjects = new Dictionary<string, List<ImportConfig>>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (item is not ConfMap map)
            {
                ctx.Error(item.Position, $"Import Items should be a map with type entry, got {GoText.TypeName(item)}");
                continue;
            }
            if (BindImport(map, ctx) is not var (import, localPosition))
            {
                continue;
            }
            if (import.Kind == ExportKind.Service)
            {
                var local = import.To ?? import.Subject;
                if (!serviceSubjects.TryGetValue(local, out var same))
                {
                    serviceSubjects[local] = same = [];
                }
                if (same.Find(s => s.Account == import.Account) is { } duplicate)
                {
                    ctx.Error(localPosition, $"Duplicate service import subject \"{local}\", previously used in import for account \"{duplicate.Account}\", subject \"{duplicate.Subject}\"");
                    continue;
                }
                same.Add(import);
            }
            imports.Add((import, map.Position));
        }
        return imports;
    }

    private static ExportConfig? BindExport(ConfMap map, BindContext ctx)
    {
        ExportKind? kind = null;
        string? subject = null;
        string? responseType = null;
        ConfEntry? responseEntry = null;
        List<string> accounts = [];
        var errors = ctx.Errors.Count;
        foreach (var item in map)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "stream" or "service":
                    var isStream = item.Key.Equals("stream", StringComparison.OrdinalIgnoreCase);
                    if (kind is not null)
                    {
                        ctx.Error(item, isStream
                            ? $"Detected stream \"{item.Value}\" but already saw a service"
                            : $"Detected service \"{item.Value}\" but already saw a stream");
                        continue;
                    }
                    if (item.Value is not ConfString exported)
                    {
                        ctx.Error(item, $"Expected {(isStream ? "stream" : "service")} name to be string, got {GoText.TypeName(item.Value)}");
                        continue;
                    }
                    kind = isStream ? ExportKind.Stream : ExportKind.Service;
                    subject = exported.Value;
                    break;
                case "response" or "response_type":
                    if (responseEntry is not null)
                    {
                        ctx.Error(item, "Duplicate response type definition");
                        continue;
                    }
                    responseEntry = item;
                    if (item.Value is not ConfString type)
                    {
                        ctx.Error(item, $"Expected response type to be string, got {GoText.TypeName(item.Value)}");
                        continue;
                    }
                    responseType = type.Value.ToLowerInvariant() switch
                    {
                        "single" or "singleton" => "Singleton",
                        "stream" => "Stream",
                        "chunk" or "chunked" => "Chunked",
                        _ => null,
                    };
                    if (responseType is null)
                    {
                        ctx.Error(item, $"Unknown response type: \"{type.Value}\"");
                    }
                    break;
                case "accounts":
                    if (ctx.TryList(item, out var names))
                    {
                        foreach (var account in names)
                        {
                            if (account is ConfString accountName)
                            {
                                accounts.Add(accountName.Value);
                            }
                            else
                            {
                                ctx.Error(account.Position, $"accounts: expected an account name, got {account.Describe()}");
                            }
                        }
                    }
                    break;
                case "threshold" or "response_threshold" or "response_max_time" or "response_time"
                    or "latency" or "account_token_position" or "allow_trace":
                    ctx.NotSupported(item, "exports");
                    break;
                default:
                    ctx.Unknown(item);
                    break;
            }
        }
        if (kind == ExportKind.Stream && responseEntry is not null)
        {
            ctx.Error(responseEntry, "Detected response directive on non-service");
        }
        if (kind is null || subject is null || ctx.Errors.Count != errors)
        {
            // nats-server silently skips an export naming neither a stream nor a service.
            return null;
        }
        if (!SubjectValidator.IsValidSubject(subject))
        {
            ctx.Error(map.Position, $"Error adding {(kind == ExportKind.Stream ? "stream" : "service")} export \"{subject}\": subject is not valid");
            return null;
        }
        return new ExportConfig { Kind = kind.Value, Subject = subject, Accounts = accounts, ResponseType = responseType ?? "Singleton" };
    }

    /// <summary>One import, and where its local subject was given (its <c>to</c>, else the entry).</summary>
    private static (ImportConfig Import, ConfPosition LocalPosition)? BindImport(ConfMap map, BindContext ctx)
    {
        ExportKind? kind = null;
        string? account = null, subject = null, prefix = null, to = null;
        ConfEntry? toEntry = null;
        var errors = ctx.Errors.Count;
        foreach (var item in map)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "stream" or "service":
                    var isStream = item.Key.Equals("stream", StringComparison.OrdinalIgnoreCase);
                    if (kind is not null)
                    {
                        ctx.Error(item, isStream ? "Detected stream but already saw a service" : "Detected service but already saw a stream");
                        continue;
                    }
                    if (item.Value is not ConfMap source)
                    {
                        ctx.Error(item, $"{(isStream ? "Stream" : "Service")} entry should be an account map, got {GoText.TypeName(item.Value)}");
                        continue;
                    }
                    (account, subject) = BindSource(source, ctx);
                    if (string.IsNullOrEmpty(account) || string.IsNullOrEmpty(subject))
                    {
                        ctx.Error(item, "Expect an account name and a subject");
                        continue;
                    }
                    kind = isStream ? ExportKind.Stream : ExportKind.Service;
                    break;
                case "prefix":
                    ctx.TryString(item, out prefix);
                    break;
                case "to":
                    toEntry = item;
                    ctx.TryString(item, out to);
                    break;
                case "share" or "allow_trace":
                    ctx.NotSupported(item, "imports");
                    break;
                default:
                    ctx.Unknown(item);
                    break;
            }
        }
        if (kind == ExportKind.Stream && !string.IsNullOrEmpty(prefix) && toEntry is not null)
        {
            ctx.Error(toEntry, "Stream import can not have a 'prefix' and a 'to' property");
        }
        if (kind is null || ctx.Errors.Count != errors)
        {
            return null;
        }
        if (!SubjectValidator.IsValidSubject(subject!))
        {
            ctx.Error(map.Position, $"Error adding {(kind == ExportKind.Stream ? "stream" : "service")} import \"{subject}\": subject is not valid");
            return null;
        }
        var import = new ImportConfig
        {
            Kind = kind.Value,
            Account = account!,
            Subject = subject!,
            To = string.IsNullOrEmpty(to) ? null : to,
            // A prefix only means something for streams; nats-server ignores it on services.
            Prefix = kind == ExportKind.Stream && !string.IsNullOrEmpty(prefix) ? prefix : null,
        };
        return (import, toEntry?.KeyPosition ?? map.Position);
    }

    private static (string? Account, string? Subject) BindSource(ConfMap source, BindContext ctx)
    {
        string? account = null, subject = null;
        foreach (var item in source)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "account":
                    ctx.TryString(item, out account);
                    break;
                case "subject":
                    ctx.TryString(item, out subject);
                    break;
                default:
                    ctx.Unknown(item);
                    break;
            }
        }
        return (account, subject);
    }
}
