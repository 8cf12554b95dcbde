using System.Text.Json;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The built host's <c>nats-server.runtimeconfig.json</c> carries the runtime settings chosen by
/// measurement (host/Nats.Host.csproj, docs/benchmarks.md). A build that lost one still runs, only
/// with more CPU per message, so no other test would notice.
/// </summary>
[TestFixture]
public sealed class RuntimeConfigTests
{
    [TestCase("System.Runtime.TieredCompilation.CallCountThreshold", "512")]
    [TestCase("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", "20")]
    [TestCase("System.Runtime.TieredPGO", "false")]
    public void The_built_host_carries_the_measured_setting(string name, string expected)
    {
        var path = Path.ChangeExtension(HostExecutable.Path, ".runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.That(properties.TryGetProperty(name, out var value), Is.True, $"{name} in {path}");
        Assert.That(value.GetRawText(), Is.EqualTo(expected), name);
    }
}
