using System.Text;
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
        var exports = account.Exports.Select(DescribeExport).ToArray();
        var imports = account.StreamImports.Select(DescribeImport)
            .Concat(account.ServiceImports.Select(DescribeImport))
            .ToArray();
        return new AccountInfo
        {
            AccountName = account.Name,
            // Accounts come from configuration: they change when it is (re)loaded.
            UpdateTime = server.ConfigLoadTime,
            IsSystem = account.IsSystem ? true : null,
            ClientConnections = account.ConnectionCount,
            Subscriptions = (uint)account.Sublist.Count,
            Exports = exports.Length > 0 ? exports : null,
            Imports = imports.Length > 0 ? imports : null,
            SublistStats = account.Sublist.Stats(),
        };
    }

    private static ExtExport DescribeExport(AccountExport export)
    {
        var service = export.Kind == ExportKind.Service;
        return new ExtExport
        {
            Subject = export.Subject,
            Type = service ? "service" : "stream",
            ResponseType = service ? ResponseTypeText(export.ResponseType) : null,
            ApprovedAccounts = export.AllowedAccounts.Count > 0 ? [.. export.AllowedAccounts.Order(StringComparer.Ordinal)] : null,
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
