using Nats.Interop.Tests.Infrastructure;
using NUnit.Framework.Interfaces;

namespace Nats.Interop.Tests;

/// <summary>
/// Base class of every interop test: a fresh <see cref="TestScope"/> per test. Logs of servers
/// and clients are printed only when a test fails.
/// </summary>
/// <remarks>
/// Each derived class must carry <c>[CancelAfter(BudgetMs)]</c> itself: NUnit does not inherit
/// that attribute. Every wait in the harness also has its own, shorter limit, so the budget is a
/// backstop rather than the way tests normally end.
/// </remarks>
public abstract class InteropTest
{
    /// <summary>Per-test time budget (start-up, scenario, shutdown).</summary>
    public const int BudgetMs = 90_000;

    private TestScope? _scope;

    protected TestScope Scope => _scope ?? throw new InvalidOperationException("SetUp has not run");

    [SetUp]
    public void CreateScope() =>
        _scope = new TestScope(TestContext.CurrentContext.Test.Name);

    [TearDown]
    public async Task DisposeScope()
    {
        if (_scope == null)
            return;
        var failed = TestContext.CurrentContext.Result.Outcome.Status != TestStatus.Passed;
        await _scope.DisposeAsync(printLogs: failed);
        _scope = null;
    }

    /// <summary>Builds scenario arguments: <c>Args(("servers", url), ("count", "10"))</c>.</summary>
    protected static Dictionary<string, string> Args(params (string Key, object Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
}
