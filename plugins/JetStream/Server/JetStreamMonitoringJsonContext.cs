using System.Text.Json.Serialization;

namespace Nats.JetStream.Server;

/// <summary>
/// Compile-time JSON metadata of this plugin's <c>/jsz</c> and <c>/varz</c> <c>jetstream</c> section, added to the kernel's
/// monitoring JSON (<c>AddJsonTypes</c>) so that a native (NativeAOT) build writes them without
/// reflection; the kernel's options still apply, so the JSON is unchanged.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(JszResponse))]
[JsonSerializable(typeof(JetStreamVarz))]
internal sealed partial class JetStreamMonitoringJsonContext : JsonSerializerContext;
