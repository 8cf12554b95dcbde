using System.Text.Json.Serialization;

namespace Nats.Mqtt;

/// <summary>
/// Compile-time JSON metadata of this plugin's <c>/varz</c> <c>mqtt</c> section, added to the kernel's
/// monitoring JSON (<c>AddJsonTypes</c>) so that a native (NativeAOT) build writes them without
/// reflection; the kernel's options still apply, so the JSON is unchanged.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(MqttVarz))]
internal sealed partial class MqttMonitoringJsonContext : JsonSerializerContext;
