using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.JetStream.Api;

/// <summary>
/// Times as Go's time.Time marshals them (RFC 3339 with nanoseconds, trailing zeros trimmed,
/// always UTC with <c>Z</c>; the zero time as <c>0001-01-01T00:00:00Z</c>), so Go clients, which
/// refuse a time without a zone, parse every time the server sends.
/// </summary>
public sealed class GoTimeConverter : JsonConverter<DateTime>
{
    /// <inheritdoc />
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("time expected");
        return DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) => writer.WriteStringValue(Format(value));

    /// <summary><paramref name="value"/> as Go marshals a <c>time.Time</c>.</summary>
    public static string Format(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            text += "." + fraction.ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
        }
        return text + "Z";
    }
}
