using System.Text.Json.Serialization;

namespace Nats.JetStream.Api;

/// <summary>A JetStream API error as nats-server defines it (<c>errors.json</c>).</summary>
public sealed record JsError(int Code, int ErrCode, string Description)
{
    /// <summary>Fills <c>{name}</c> placeholders of the description.</summary>
    public JsError With(string name, object? value) => this with { Description = Description.Replace("{" + name + "}", value?.ToString()) };

    /// <summary>The error as the API reply's <c>error</c> object.</summary>
    public ApiError ToApi() => new() { Code = Code, ErrCode = ErrCode, Description = Description };

    /// <inheritdoc />
    public override string ToString() => $"{Description} ({Code}/{ErrCode})";
}

/// <summary>The <c>error</c> object of an API response.</summary>
public sealed class ApiError
{
    /// <summary><c>code</c>: the HTTP-like status (400, 404, 503…).</summary>
    [JsonPropertyName("code")]
    public int Code { get; set; }

    /// <summary><c>err_code</c>: nats-server's JetStream error code (<c>errors.json</c>).</summary>
    [JsonPropertyName("err_code")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ErrCode { get; set; }

    /// <summary><c>description</c>: the text clients show.</summary>
    [JsonPropertyName("description")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; set; }
}

/// <summary>Thrown by the engine for a request nats-server would answer with an API error.</summary>
public sealed class JsApiException(JsError error) : Exception(error.Description)
{
    /// <summary>The error the API replies with.</summary>
    public JsError Error { get; } = error;
}
