using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>Latency tracking of a service export: <c>sampling</c> 1-100 or <c>"headers"</c> (0), and the <c>results</c> subject.</summary>
public sealed class ServiceLatency
{
    [JsonPropertyName("sampling"), JsonConverter(typeof(SamplingRateConverter))] public int Sampling { get; set; }

    [JsonPropertyName("results")] public string Results { get; set; } = "";
}

/// <summary>A stream or service an account offers (jwt <c>Export</c>).</summary>
public sealed class Export
{
    [JsonPropertyName("name"), OmitEmpty] public string? Name { get; set; }

    [JsonPropertyName("subject"), OmitEmpty] public string? Subject { get; set; }

    [JsonPropertyName("type"), OmitEmpty] public ExportType Type { get; set; }

    /// <summary>Importers need an activation token.</summary>
    [JsonPropertyName("token_req"), OmitEmpty] public bool TokenRequired { get; set; }

    /// <summary>Revoked activations: importer account → issued-at limit.</summary>
    [JsonPropertyName("revocations"), OmitEmpty] public RevocationList? Revocations { get; set; }

    /// <summary><c>Singleton</c> (default), <c>Stream</c> or <c>Chunked</c>.</summary>
    [JsonPropertyName("response_type"), OmitEmpty] public string? ResponseType { get; set; }

    /// <summary>Go <c>time.Duration</c>: nanoseconds.</summary>
    [JsonPropertyName("response_threshold"), OmitEmpty] public long ResponseThresholdNanoseconds { get; set; }

    [JsonPropertyName("service_latency"), OmitEmpty] public ServiceLatency? Latency { get; set; }

    [JsonPropertyName("account_token_position"), OmitEmpty] public uint AccountTokenPosition { get; set; }

    [JsonPropertyName("advertise"), OmitEmpty] public bool Advertise { get; set; }

    [JsonPropertyName("allow_trace"), OmitEmpty] public bool AllowTrace { get; set; }

    [JsonPropertyName("description"), OmitEmpty] public string? Description { get; set; }

    [JsonPropertyName("info_url"), OmitEmpty] public string? InfoUrl { get; set; }
}

/// <summary>A stream or service taken from another account (jwt <c>Import</c>).</summary>
public sealed class Import
{
    [JsonPropertyName("name"), OmitEmpty] public string? Name { get; set; }

    /// <summary>From the publisher's view: the exporter's subject for streams, the importer's for services.</summary>
    [JsonPropertyName("subject"), OmitEmpty] public string? Subject { get; set; }

    [JsonPropertyName("account"), OmitEmpty] public string? Account { get; set; }

    /// <summary>The activation token for a private export.</summary>
    [JsonPropertyName("token"), OmitEmpty] public string? Token { get; set; }

    /// <summary>Deprecated by <see cref="LocalSubject"/>.</summary>
    [JsonPropertyName("to"), OmitEmpty] public string? To { get; set; }

    [JsonPropertyName("local_subject"), OmitEmpty] public string? LocalSubject { get; set; }

    [JsonPropertyName("type"), OmitEmpty] public ExportType Type { get; set; }

    [JsonPropertyName("share"), OmitEmpty] public bool Share { get; set; }

    [JsonPropertyName("allow_trace"), OmitEmpty] public bool AllowTrace { get; set; }
}

/// <summary>One destination of a subject mapping (jwt <c>WeightedMapping</c>); weight 0 means 100.</summary>
public sealed class WeightedMapping
{
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";

    [JsonPropertyName("weight"), OmitEmpty] public byte Weight { get; set; }

    [JsonPropertyName("cluster"), OmitEmpty] public string? Cluster { get; set; }

    /// <summary>The effective weight (jwt <c>GetWeight</c>).</summary>
    [JsonIgnore] public int EffectiveWeight => Weight == 0 ? 100 : Weight;
}

/// <summary>Subject mappings: source subject → weighted destinations, sorted by subject as Go writes maps.</summary>
public sealed class SubjectMappings() : SortedDictionary<string, List<WeightedMapping>>(StringComparer.Ordinal);

/// <summary>Auth callout settings of an account (jwt <c>ExternalAuthorization</c>).</summary>
public sealed class ExternalAuthorization
{
    /// <summary>Users that bypass the callout (the callout service itself).</summary>
    [JsonPropertyName("auth_users"), OmitEmpty] public List<string>? AuthUsers { get; set; }

    [JsonPropertyName("allowed_accounts"), OmitEmpty] public List<string>? AllowedAccounts { get; set; }

    /// <summary>The callout service's curve key; requests are sealed to it when set.</summary>
    [JsonPropertyName("xkey"), OmitEmpty] public string? XKey { get; set; }

    /// <summary>jwt <c>IsEnabled</c>: some auth user is named.</summary>
    [JsonIgnore] public bool IsEnabled => AuthUsers is { Count: > 0 };
}

/// <summary>Message tracing destination (jwt <c>MsgTrace</c>).</summary>
public sealed class MsgTrace
{
    [JsonPropertyName("dest"), OmitEmpty] public string? Destination { get; set; }

    [JsonPropertyName("sampling"), OmitEmpty] public int Sampling { get; set; }
}
