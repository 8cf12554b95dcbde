using System.Text.Json.Serialization;

namespace Nats.Gateway;

/// <summary>
/// Compile-time JSON metadata of this plugin's <c>/gatewayz</c>, <c>/varz</c> <c>gateway</c> section and STATSZ <c>gateways</c>, added to the kernel's
/// monitoring JSON (<c>AddJsonTypes</c>) so that a native (NativeAOT) build writes them without
/// reflection; the kernel's options still apply, so the JSON is unchanged.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(GatewayMonitoring.GatewayzBody))]
[JsonSerializable(typeof(GatewayMonitoring.GatewayVarz))]
[JsonSerializable(typeof(GatewayMonitoring.GatewayStat))]
internal sealed partial class GatewayMonitoringJsonContext : JsonSerializerContext;
