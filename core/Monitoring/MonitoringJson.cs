using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.Core.Monitoring;

/// <summary>
/// How monitoring bodies are serialized: nats-server's conventions on top of
/// System.Text.Json. <c>null</c> stands for Go's <c>omitempty</c> (DTOs use nullable members
/// for omitted-when-empty fields); instants are RFC 3339 UTC; non-ASCII text stays as is
/// (Go writes <c>"455µs"</c>, not an escape) while HTML-sensitive characters are escaped
/// as Go does. Types are described by source-generated contexts (the kernel's and those plugins
/// add with <see cref="MonitoringServer.AddJsonTypes"/>), so that a native build needs no
/// reflection; reflection describes any other type where the runtime allows it.
/// </summary>
public static class MonitoringJson
{
    /// <summary>Indented like Go's <c>json.MarshalIndent(v, "", "  ")</c>, which most endpoints use.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>Compact, like Go's <c>json.Marshal</c> (used by <c>/healthz</c>).</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = GoJsonEncoder.Instance,
            Converters = { new GoTimeConverter() },
            TypeInfoResolver = MonitoringTypeResolver.Instance,
        };
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>Writes <see cref="DateTime"/> as Go's RFC 3339 (nano) UTC text.</summary>
internal sealed class GoTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTime().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(GoFormat.Time(value));
}

/// <summary>
/// Writes a <see cref="TimeSpan"/> as Go's <c>time.Duration</c> does in JSON: an integer
/// count of nanoseconds (<c>"ping_interval": 120000000000</c>).
/// </summary>
public sealed class GoNanosecondsConverter : JsonConverter<TimeSpan>
{
    /// <inheritdoc />
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromTicks(reader.GetInt64() / 100);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.Ticks * 100);
}
