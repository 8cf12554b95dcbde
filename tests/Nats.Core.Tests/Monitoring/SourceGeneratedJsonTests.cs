using Nats.Core.Monitoring;
using Nats.TestSupport;

namespace Nats.Core.Tests.Monitoring;

/// <summary>The kernel's monitoring bodies are written from compile-time metadata (for the native build) exactly as reflection wrote them.</summary>
[TestFixture]
public sealed class SourceGeneratedJsonTests
{
    [Test]
    public void KernelMonitoringTypesAreWrittenAsByReflection() =>
        SourceGeneratedJsonCheck.AssertSameAsReflection(KernelMonitoringJsonContext.Default);

    [Test]
    public void MonitoringOptionsUseTheGeneratedMetadata() =>
        Assert.That(MonitoringJson.Indented.GetTypeInfo(typeof(Varz)).OriginatingResolver, Is.SameAs(KernelMonitoringJsonContext.Default));
}
