using System.Text.Json.Serialization;

namespace Nats.Core.Monitoring;

/// <summary>The query of <c>/healthz</c>.</summary>
public sealed class HealthzOptions
{
    /// <summary><c>js-enabled</c> (deprecated by nats-server in favour of <c>js-enabled-only</c>).</summary>
    public bool JetStreamEnabled { get; set; }
    /// <summary><c>js-enabled-only</c>: only check that JetStream is enabled.</summary>
    public bool JetStreamEnabledOnly { get; set; }
    /// <summary><c>js-server-only</c>: skip account, stream and consumer checks.</summary>
    public bool JetStreamServerOnly { get; set; }
    /// <summary><c>js-meta-only</c>: only check the JetStream meta layer.</summary>
    public bool JetStreamMetaOnly { get; set; }
    public string? Account { get; set; }
    public string? Stream { get; set; }
    public string? Consumer { get; set; }
    /// <summary><c>details</c>: report every problem in <c>errors</c>.</summary>
    public bool Details { get; set; }

    /// <summary>Reads the query; a malformed boolean is refused as nats-server refuses it.</summary>
    /// <exception cref="MonitoringException">A bad parameter.</exception>
    public static HealthzOptions Parse(MonitoringRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new HealthzOptions
        {
            JetStreamEnabled = request.GetBool("js-enabled"),
            JetStreamEnabledOnly = request.GetBool("js-enabled-only"),
            JetStreamServerOnly = request.GetBool("js-server-only"),
            JetStreamMetaOnly = request.GetBool("js-meta-only"),
            Details = request.GetBool("details"),
            Account = request.Get("account"),
            Stream = request.Get("stream"),
            Consumer = request.Get("consumer"),
        };
    }
}

/// <summary>What a <c>/healthz</c> problem concerns.</summary>
public enum HealthzErrorType
{
    Connection,
    BadRequest,
    JetStream,
    Account,
    Stream,
    Consumer,
}

/// <summary>One problem in <c>/healthz?details=true</c>.</summary>
public sealed class HealthzError
{
    /// <summary><c>CONNECTION</c>, <c>BAD_REQUEST</c>, <c>JETSTREAM</c>, <c>ACCOUNT</c>, <c>STREAM</c> or <c>CONSUMER</c>.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("account")] public string? Account { get; set; }
    [JsonPropertyName("stream")] public string? Stream { get; set; }
    [JsonPropertyName("consumer")] public string? Consumer { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
}

/// <summary>
/// <c>/healthz</c>'s answer: <c>{"status":"ok"}</c>, or the failure. Checks report through
/// <see cref="Fail"/>, which follows nats-server: without <c>details</c> the first failure
/// is the answer; with it, every failure is listed.
/// </summary>
public sealed class HealthStatus
{
    private readonly bool _details;

    /// <summary>A healthy status for a request with or without <c>details</c>.</summary>
    public HealthStatus(bool details = false)
    {
        _details = details;
    }

    [JsonPropertyName("status")] public string Status { get; set; } = "ok";
    /// <summary>The HTTP status; written only when the status is used outside HTTP.</summary>
    [JsonPropertyName("status_code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int StatusCode { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("errors")] public List<HealthzError>? Errors { get; set; }

    /// <summary>True once a check failed (further checks may stop).</summary>
    [JsonIgnore] public bool Failed => Error is not null || Errors is { Count: > 0 };

    /// <summary>Records a failure with its HTTP status (503 unavailable, 500 not ready, 400 bad request).</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="type">What the problem concerns.</param>
    /// <param name="error">The message.</param>
    /// <param name="status">The <c>status</c> text without details: <c>error</c>, or <c>unavailable</c> for JetStream.</param>
    /// <param name="account">The account concerned, if any.</param>
    /// <param name="stream">The stream concerned, if any.</param>
    /// <param name="consumer">The consumer concerned, if any.</param>
    public void Fail(int statusCode, HealthzErrorType type, string error, string status = "error", string? account = null, string? stream = null, string? consumer = null)
    {
        StatusCode = statusCode;
        if (_details)
        {
            Status = "error";
            (Errors ??= []).Add(new HealthzError { Type = TypeText(type), Account = account, Stream = stream, Consumer = consumer, Error = error });
        }
        else
        {
            Status = status;
            Error = error;
        }
    }

    private static string TypeText(HealthzErrorType type) => type switch
    {
        HealthzErrorType.Connection => "CONNECTION",
        HealthzErrorType.BadRequest => "BAD_REQUEST",
        HealthzErrorType.JetStream => "JETSTREAM",
        HealthzErrorType.Account => "ACCOUNT",
        HealthzErrorType.Stream => "STREAM",
        HealthzErrorType.Consumer => "CONSUMER",
        _ => "unknown",
    };
}

/// <summary>A health check that <c>/healthz</c> runs (JetStream plugs its checks in here).</summary>
public interface IHealthCheck
{
    /// <summary>Checks health for <paramref name="options"/>; reports problems with <see cref="HealthStatus.Fail"/>.</summary>
    void Check(HealthzOptions options, HealthStatus status);
}
