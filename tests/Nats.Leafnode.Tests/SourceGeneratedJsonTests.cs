using Nats.TestSupport;
using Nats.Leafnode.Monitoring;

namespace Nats.Leafnode.Tests;

/// <summary>This plugin's monitoring types are written from compile-time metadata (for the native build) exactly as reflection wrote them.</summary>
[TestFixture]
public sealed class SourceGeneratedJsonTests
{
    [Test]
    public void MonitoringTypesAreWrittenAsByReflection() =>
        SourceGeneratedJsonCheck.AssertSameAsReflection(LeafMonitoringJsonContext.Default);
}
