using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// NATS_STARTUP_TIMING=1 (issue 18, docs/benchmarks.md): once the client port listens, the host
/// writes one <c>[startup]</c> line per start-up step to stderr, and none without the variable.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class StartupTimelineEndToEndTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public async Task With_NATS_STARTUP_TIMING_each_step_is_written_once_the_port_listens()
    {
        var port = FreePorts.Take();
        using var host = HostProcess.StartWithEnvironment(
            new Dictionary<string, string> { ["NATS_STARTUP_TIMING"] = "1" }, _dir.Path, "-a", "127.0.0.1", "-p", $"{port}");
        await host.WaitForLogAsync("[startup] started (port listening)");
        await using (await RawClient.ConnectAsync(port))
        {
        }
        var steps = host.StandardError.Split('\n').Where(l => l.StartsWith("[startup] ", StringComparison.Ordinal)).ToList();
        Assert.That(steps.Select(l => l[10..36].Trim()), Is.EqualTo(new[]
        {
            "runtime to Main", "command line", "config", "logging", "server constructed",
            "plugin manifests", "plugins loaded", "config reviewed", "started (port listening)",
        }));
        Assert.That(steps, Has.All.Match(@"wall \+ *[0-9.]+ ms  cpu +[0-9.]+ ms \(\+ *[0-9.]+\)  jit \+ *[0-9]+ methods \+ *[0-9.]+ ms"));
    }

    [Test]
    public async Task Without_it_nothing_is_written()
    {
        var port = FreePorts.Take();
        using var host = HostProcess.Start(_dir.Path, "-a", "127.0.0.1", "-p", $"{port}");
        await host.WaitForLogAsync("Server is ready");
        Assert.That(host.StandardError, Does.Not.Contain("[startup]"));
    }
}
