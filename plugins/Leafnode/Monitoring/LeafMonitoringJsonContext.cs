using System.Text.Json.Serialization;

namespace Nats.Leafnode.Monitoring;

/// <summary>
/// Compile-time JSON metadata of this plugin's <c>/leafz</c> and <c>/varz</c> <c>leaf</c> section, added to the kernel's
/// monitoring JSON (<c>AddJsonTypes</c>) so that a native (NativeAOT) build writes them without
/// reflection; the kernel's options still apply, so the JSON is unchanged.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(Leafz))]
[JsonSerializable(typeof(LeafVarz))]
internal sealed partial class LeafMonitoringJsonContext : JsonSerializerContext;
