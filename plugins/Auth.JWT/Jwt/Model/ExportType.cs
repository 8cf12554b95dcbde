using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>What an export or import carries (jwt <c>ExportType</c>); written as <c>"stream"</c> / <c>"service"</c>.</summary>
[JsonConverter(typeof(ExportTypeConverter))]
public enum ExportType
{
    /// <summary>Not set (jwt's <c>Unknown</c>); invalid in a claim.</summary>
    Unknown = 0,

    /// <summary>Messages flow from the exporter to importers.</summary>
    Stream = 1,

    /// <summary>Requests flow to the exporter, replies back.</summary>
    Service = 2,
}

/// <summary>jwt's <c>ExportType</c> (Un)MarshalJSON: only the two names are accepted.</summary>
internal sealed class ExportTypeConverter : JsonConverter<ExportType>
{
    public override ExportType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"json: cannot unmarshal {reader.TokenType} into export type");
        }
        var text = reader.GetString();
        return text switch
        {
            "stream" => ExportType.Stream,
            "service" => ExportType.Service,
            _ => throw new JsonException($"unknown export type \"{text}\""),
        };
    }

    public override void Write(Utf8JsonWriter writer, ExportType value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case ExportType.Stream:
                writer.WriteStringValue("stream");
                break;
            case ExportType.Service:
                writer.WriteStringValue("service");
                break;
            default:
                throw new JsonException("unknown export type");
        }
    }
}

/// <summary>Go's <c>String()</c> of an export type, as error messages print it.</summary>
public static class ExportTypeNames
{
    /// <summary>"stream", "service" or "unknown".</summary>
    public static string Name(this ExportType type) => type switch
    {
        ExportType.Stream => "stream",
        ExportType.Service => "service",
        _ => "unknown",
    };
}
