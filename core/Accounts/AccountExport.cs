namespace Nats.Core.Accounts;

/// <summary>A stream or service an account offers to others.</summary>
/// <param name="Kind">Stream or service.</param>
/// <param name="Subject">The exported subject (may hold wildcards).</param>
/// <param name="AllowedAccounts">Accounts allowed to import it; empty means every account.</param>
/// <param name="ResponseType">For services: how many responses a request gets.</param>
public sealed record AccountExport(Config.ExportKind Kind, string Subject, IReadOnlySet<string> AllowedAccounts, ServiceResponseType ResponseType)
{
    /// <summary>Whether <paramref name="account"/> may import <paramref name="subject"/> under this export.</summary>
    public bool Permits(string account, string subject) =>
        (AllowedAccounts.Count == 0 || AllowedAccounts.Contains(account)) &&
        Subjects.SubjectMatcher.IsSubsetMatch(subject, Subject);
}
