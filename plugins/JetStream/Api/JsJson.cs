using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.JetStream.Api;

/// <summary>
/// The JSON of the JetStream API, generated at compile time (no reflection at run time). Unknown
/// fields are refused, as nats-server's strict decoder does.
/// </summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, Converters = [typeof(GoTimeConverter)])]
[JsonSerializable(typeof(StreamConfig))]
[JsonSerializable(typeof(ConsumerConfig))]
[JsonSerializable(typeof(StreamSource))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(ConsumerCreateRequest))]
[JsonSerializable(typeof(ConsumerMeta))]
[JsonSerializable(typeof(StreamMeta))]
public sealed partial class JsJsonContext : JsonSerializerContext
{
}

/// <summary>
/// Responses, and the requests nats-server decodes without refusing unknown fields (paging,
/// purge, message get and delete, NAK options).
/// </summary>
[JsonSourceGenerationOptions(Converters = [typeof(GoTimeConverter)])]
[JsonSerializable(typeof(ApiResponse))]
[JsonSerializable(typeof(StreamInfo))]
[JsonSerializable(typeof(ConsumerInfo))]
[JsonSerializable(typeof(SuccessResponse))]
[JsonSerializable(typeof(PurgeResponse))]
[JsonSerializable(typeof(StreamNamesResponse))]
[JsonSerializable(typeof(ConsumerNamesResponse))]
[JsonSerializable(typeof(StreamListResponse))]
[JsonSerializable(typeof(PagedErrorResponse))]
[JsonSerializable(typeof(ConsumerListResponse))]
[JsonSerializable(typeof(MsgGetResponse))]
[JsonSerializable(typeof(AccountInfoResponse))]
[JsonSerializable(typeof(PagedRequest))]
[JsonSerializable(typeof(PurgeRequest))]
[JsonSerializable(typeof(MsgDeleteRequest))]
[JsonSerializable(typeof(MsgGetRequest))]
[JsonSerializable(typeof(NakOptions))]
[JsonSerializable(typeof(ConsumerPauseRequest))]
[JsonSerializable(typeof(ConsumerPauseResponse))]
[JsonSerializable(typeof(Dictionary<string, System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(List<System.Text.Json.JsonElement>))]
public sealed partial class JsApiJsonContext : JsonSerializerContext
{
}

/// <summary>Decoding requests the way nats-server reports their errors.</summary>
public static class JsJson
{
    /// <summary>Decodes a request body; a bad one becomes <see cref="JsErrors.InvalidJSON"/> with Go's wording.</summary>
    public static T Decode<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new JsApiException(JsErrors.InvalidJSON.With("err", "unexpected end of JSON input"));
        }
        catch (JsonException e)
        {
            throw new JsApiException(JsErrors.InvalidJSON.With("err", GoMessage(e, json.Length)));
        }
    }

    /// <summary>Go's encoding/json wording for the common failures clients see.</summary>
    private static string GoMessage(JsonException e, int length)
    {
        if (e.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) && e.Path is { } path)
        {
            var field = path[(path.LastIndexOf('.') + 1)..].Trim('[', ']', '\'');
            return $"json: unknown field \"{field}\"";
        }
        if (length == 0 || e.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase))
        {
            return "unexpected end of JSON input";
        }
        return e.BytePositionInLine is { } offset ? $"invalid character at offset {offset + 1}" : e.Message;
    }
}
