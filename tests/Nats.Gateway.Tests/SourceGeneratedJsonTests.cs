using Nats.TestSupport;
using Nats.Gateway;

namespace Nats.Gateway.Tests;

/// <summary>This plugin's monitoring types and protocol JSON are written from compile-time metadata (for the native build) exactly as reflection wrote them.</summary>
[TestFixture]
public sealed class SourceGeneratedJsonTests
{
    [Test]
    public void MonitoringTypesAreWrittenAsByReflection() =>
        SourceGeneratedJsonCheck.AssertSameAsReflection(GatewayMonitoringJsonContext.Default);

    [Test]
    public void ProtocolInfoAndConnectAreWrittenAsByReflection() =>
        SourceGeneratedJsonCheck.AssertSameAsReflection(GatewayProtocolJsonContext.Default, System.Text.Json.JsonSerializerOptions.Default);
}
