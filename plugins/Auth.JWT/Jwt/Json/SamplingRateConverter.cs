using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.AuthJwt.Jwt.Json;

/// <summary>jwt's <c>SamplingRate</c>: 0 is written <c>"headers"</c>, 1-100 as a number; reading accepts both (any case of "headers").</summary>
internal sealed class SamplingRateConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            return string.Equals(text, "headers", StringComparison.OrdinalIgnoreCase)
                ? 0
                : throw new JsonException($"json: cannot unmarshal string \"{text}\" into sampling rate");
        }
        return reader.GetInt32();
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options)
    {
        if (value == 0)
        {
            writer.WriteStringValue("headers");
        }
        else if (value is >= 1 and <= 100)
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            throw new JsonException("unknown sampling rate");
        }
    }
}
