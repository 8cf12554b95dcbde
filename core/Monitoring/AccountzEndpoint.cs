using System.Text;
using System.Text.Json;
using Nats.Core.Accounts;
using Nats.Core.Config;

namespace Nats.Core.Monitoring;

/// <summary><c>/accountz</c>, as nats-server's <c>Server.Accountz</c> computes it.</summary>
internal static class AccountzEndpoint
{
    public static MonitoringResponse Handle(NatsServer server, MonitoringRequest request) =>
        MonitoringResponse.Json(Build(server, request.Get("acc")));

    /// <exception cref="MonitoringException">No such account.</exception>
    public static Accountz Build(NatsServer server, string? accountName)
    {
        var accountz = new Accountz
        {
            ServerId = server.ServerId,
            Now = DateTime.UtcNow,
            SystemAccount = server.Accounts.System?.Name,
        };
        if (accountName is null)
        {
            accountz.Accounts = [.. server.Accounts.All.Select(a => a.Name)];
            return accountz;
        }
        var account = server.Accounts.Find(accountName) ?? throw new MonitoringException($"Account {accountName} does not exist");
        accountz.Account = Describe(server, account);
        return accountz;
    }

    private static AccountInfo Describe(NatsServer server, Account account)
    {
        // Exports are built from the definition's, in its order: the definition adds what only a JWT says.
        var definedExports = account.Definition?.Exports ?? [];
        var exports = account.Exports.Select((e, i) => DescribeExport(e, i < definedExports.Count ? definedExports[i] : null)).ToArray();
        var imports = account.StreamImports.Select(DescribeImport)
            .Concat(account.ServiceImports.Select(DescribeImport))
            .Concat(SystemImports(server, account))
            .ToArray();
        var jwt = account.Definition?.Jwt;
        var info = new AccountInfo
        {
            AccountName = account.Name,
            // Configured accounts change when the configuration is (re)loaded, JWT ones when their claims are applied.
            UpdateTime = jwt is null ? server.ConfigLoadTime : account.DefinedAt,
            IsSystem = account.IsSystem ? true : null,
            Complete = account.IsComplete,
            ClientConnections = account.ConnectionCount,
            Subscriptions = (uint)account.Sublist.Count,
            Mappings = DescribeMappings(account.Mappings),
            Exports = exports.Length > 0 ? exports : null,
            Imports = imports.Length > 0 ? imports : null,
            SublistStats = account.Sublist.Stats(),
        };
        if (jwt is not null)
        {
            DescribeJwt(info, jwt);
        }
        if (account.Definition?.JwtStatus is { } status)
        {
            DescribeJwtStatus(info, status, DateTimeOffset.UtcNow);
        }
        return info;
    }

    /// <summary>nats-server's <c>expired</c>, <c>validation_result_jwt</c> and <c>revoked_user</c>, from the plugin that made the account.</summary>
    private static void DescribeJwtStatus(AccountInfo info, IAccountJwtStatus status, DateTimeOffset now)
    {
        info.Expired = status.IsExpired(now);
        var issues = status.Validate(now);
        info.ValidationResult = issues.Count == 0 ? null : [.. issues.Select(i => new ExtVrIssue { Description = i.Description, Blocking = i.Blocking, TimeCheck = i.TimeCheck })];
        info.RevokedUsers = Times(status.RevokedUsers);
    }

    /// <summary>A key → time map as Go writes it: sorted by key, UTC; null (left out) when empty.</summary>
    private static SortedDictionary<string, DateTime>? Times(IReadOnlyDictionary<string, DateTimeOffset> times) =>
        times.Count == 0 ? null : new SortedDictionary<string, DateTime>(times.ToDictionary(t => t.Key, t => t.Value.UtcDateTime, StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// The imports of the system services every account has (<see cref="SystemServices.SystemImports"/>),
    /// listed as nats-server lists its service imports from the system account.
    /// </summary>
    private static IEnumerable<ExtImport> SystemImports(NatsServer server, Account account)
    {
        if (server.Accounts.System is not { } system)
        {
            return [];
        }
        return SystemServices.SystemImports.Describe(account, system).Select(i => new ExtImport
        {
            Subject = i.Export,
            Account = system.Name,
            To = i.Local,
            LocalSubject = i.Local,
            Type = "service",
            Share = i.Share,
        });
    }

    private static Dictionary<string, IReadOnlyList<MapDest>>? DescribeMappings(SubjectMappings? mappings) =>
        mappings is null || mappings.Definitions.Count == 0
            ? null
            : mappings.Definitions
                .GroupBy(m => m.Source, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<MapDest>)[.. g.Last().Destinations.Select(d => new MapDest { Subject = d.Subject, Weight = d.Weight, Cluster = d.Cluster })], StringComparer.Ordinal);

    /// <summary>nats-server's JWT fields: the token, its issuer, name, tags and decoded claims.</summary>
    private static void DescribeJwt(AccountInfo info, string jwt)
    {
        info.Jwt = jwt;
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
            var claims = document.RootElement.Clone();
            info.DecodedJwt = claims;
            info.IssuerKey = claims.TryGetProperty("iss", out var issuer) ? issuer.GetString() : null;
            info.NameTag = claims.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } n ? n : null;
            if (claims.TryGetProperty("nats", out var nats) && nats.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array && tags.GetArrayLength() > 0)
            {
                info.Tags = tags;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // The resolver verified the token; a payload that does not decode is shown as the token alone.
        }
    }

    private static ExtExport DescribeExport(AccountExport export, ExportConfig? defined)
    {
        var service = export.Kind == ExportKind.Service;
        // A token-required export admits the holders of an activation; nats-server lists no approved accounts for it.
        var tokenRequired = defined?.TokenRequired == true;
        return new ExtExport
        {
            Subject = export.Subject,
            Type = service ? "service" : "stream",
            TokenRequired = tokenRequired ? true : null,
            ResponseType = service ? ResponseTypeText(export.ResponseType) : null,
            ApprovedAccounts = !tokenRequired && export.AllowedAccounts.Count > 0 ? [.. export.AllowedAccounts.Order(StringComparer.Ordinal)] : null,
            RevokedActivations = defined is null ? null : Times(defined.RevokedActivations.AsReadOnly()),
        };
    }

    private static ExtImport DescribeImport(StreamImport import) => new()
    {
        Subject = import.Subject,
        Account = import.Exporter.Name,
        // Applying the mapping to the imported pattern itself yields the local pattern.
        LocalSubject = import.Transform is null ? import.Subject : Encoding.UTF8.GetString(import.Transform.Apply(Encoding.UTF8.GetBytes(import.Subject))),
        Type = "stream",
    };

    private static ExtImport DescribeImport(ServiceImport import) => new()
    {
        Subject = import.ExportSubject,
        Account = import.Exporter.Name,
        To = import.LocalSubject,
        LocalSubject = import.LocalSubject,
        Type = "service",
    };

    /// <summary>nats-server's names (<c>ServiceRespType.String()</c>).</summary>
    private static string ResponseTypeText(ServiceResponseType type) => type switch
    {
        ServiceResponseType.Stream => "Streamed",
        ServiceResponseType.Chunked => "Chunked",
        _ => "Singleton",
    };
}
