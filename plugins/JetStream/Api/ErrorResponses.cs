using System.Text.Json;

namespace Nats.JetStream.Api;

/// <summary>
/// An API error in the shape nats-server 2.9.10 sends it for each response kind (checked live):
/// it fills the error into the same response struct as a success, so the fields that struct
/// always writes come along with their zero values — <c>total</c>, <c>offset</c>, <c>limit</c> (0)
/// and the list (<c>null</c> for stream names, <c>[]</c> for the others) in the four list
/// responses, the paging fields in stream info, <c>purged</c> in a purge. The other kinds carry only
/// <c>type</c> and <c>error</c>.
/// </summary>
public static class ErrorResponses
{
    /// <summary>The response of kind <paramref name="kind"/> (<c>stream_names_response</c>…) carrying <paramref name="error"/>.</summary>
    public static byte[] For(string kind, JsError error)
    {
        var type = "io.nats.jetstream.api.v1." + kind;
        var api = error.ToApi();
        var c = JsApiJsonContext.Default;
        return kind switch
        {
            "stream_names_response" => JsonSerializer.SerializeToUtf8Bytes(new StreamNamesResponse { Type = type, Error = api }, c.StreamNamesResponse),
            "stream_list_response" => JsonSerializer.SerializeToUtf8Bytes(new StreamListResponse { Type = type, Error = api }, c.StreamListResponse),
            "consumer_names_response" => JsonSerializer.SerializeToUtf8Bytes(new ConsumerNamesResponse { Type = type, Error = api }, c.ConsumerNamesResponse),
            "consumer_list_response" => JsonSerializer.SerializeToUtf8Bytes(new ConsumerListResponse { Type = type, Error = api }, c.ConsumerListResponse),
            "stream_info_response" => JsonSerializer.SerializeToUtf8Bytes(new PagedErrorResponse { Type = type, Error = api }, c.PagedErrorResponse),
            "stream_purge_response" => JsonSerializer.SerializeToUtf8Bytes(new PurgeResponse { Type = type, Error = api }, c.PurgeResponse),
            _ => JsonSerializer.SerializeToUtf8Bytes(new ApiResponse { Type = type, Error = api }, c.ApiResponse),
        };
    }
}
