namespace Nats.AuthJwt.Jwt;

/// <summary>One finding of a claim's validation (jwt <c>ValidationIssue</c>).</summary>
/// <param name="Description">What is wrong, in jwt's words.</param>
/// <param name="Blocking">An error: the claim must not be used.</param>
/// <param name="TimeCheck">An expiry or not-before finding, blocking only when time checks count.</param>
public sealed record ValidationIssue(string Description, bool Blocking, bool TimeCheck);

/// <summary>The findings of validating a claim (jwt <c>ValidationResults</c>).</summary>
public sealed class ValidationResults
{
    private readonly List<ValidationIssue> _issues = [];

    /// <summary>Every finding, in the order found.</summary>
    public IReadOnlyList<ValidationIssue> Issues => _issues;

    /// <summary>True when nothing was found.</summary>
    public bool IsEmpty => _issues.Count == 0;

    /// <summary>Adds a blocking error.</summary>
    public void AddError(string description) => _issues.Add(new ValidationIssue(description, true, false));

    /// <summary>Adds a time finding (expired, not yet valid).</summary>
    public void AddTimeCheck(string description) => _issues.Add(new ValidationIssue(description, false, true));

    /// <summary>Adds a warning, never blocking.</summary>
    public void AddWarning(string description) => _issues.Add(new ValidationIssue(description, false, false));

    /// <summary>jwt <c>IsBlocking</c>: an error, or a time finding when <paramref name="includeTimeChecks"/>.</summary>
    public bool IsBlocking(bool includeTimeChecks) =>
        _issues.Exists(i => i.Blocking || (includeTimeChecks && i.TimeCheck));

    /// <summary>The blocking findings' descriptions.</summary>
    public IEnumerable<string> Errors => _issues.Where(i => i.Blocking).Select(i => i.Description);

    /// <summary>Every finding, joined for a log line.</summary>
    public override string ToString() => string.Join("; ", _issues.Select(i => i.Description));
}
