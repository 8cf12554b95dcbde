using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.AuthJwt.Jwt.Json;

/// <summary>
/// jwt's <c>CIDRList</c>: decodes an array of strings as is, or one comma-separated string
/// (lower-cased, trimmed, duplicates and blanks dropped, as <c>CIDRList.Set</c>); encodes an array.
/// </summary>
internal sealed class CidrListConverter : JsonConverter<List<string>?>
{
    public override bool HandleNull => false;

    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartArray:
                var list = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException("json: cannot unmarshal into src: expected an array of strings or a string");
                    }
                    list.Add(reader.GetString()!);
                }
                return list;
            case JsonTokenType.String:
                var result = new List<string>();
                foreach (var part in reader.GetString()!.ToLowerInvariant().Split(','))
                {
                    var value = part.Trim().ToLowerInvariant();
                    if (value.Length > 0 && !result.Contains(value))
                    {
                        result.Add(value);
                    }
                }
                return result;
            default:
                throw new JsonException("json: cannot unmarshal into src: expected an array of strings or a string");
        }
    }

    public override void Write(Utf8JsonWriter writer, List<string>? value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value ?? [])
        {
            writer.WriteStringValue(item);
        }
        writer.WriteEndArray();
    }
}
