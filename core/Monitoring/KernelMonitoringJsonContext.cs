using System.Text.Json.Serialization;
using Nats.Core.Cluster;

namespace Nats.Core.Monitoring;

/// <summary>
/// Compile-time JSON metadata of the kernel's monitoring bodies, so that a native (NativeAOT)
/// build writes them without reflection. Only the metadata is generated: the options
/// (<see cref="MonitoringJson"/>: Go's encoder, RFC 3339 times, nulls left out, indented or not)
/// are applied at run time, so the JSON is the same as reflection wrote it. A type reached only
/// through an <c>object</c> member (the <c>/varz</c> sections) is listed here or in its plugin's
/// context.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(Varz))]
[JsonSerializable(typeof(EmptySection))]
[JsonSerializable(typeof(Connz))]
[JsonSerializable(typeof(Routez))]
[JsonSerializable(typeof(Subsz))]
[JsonSerializable(typeof(Accountz))]
[JsonSerializable(typeof(AccountStatz))]
[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class KernelMonitoringJsonContext : JsonSerializerContext;
