using System.Text.Json.Serialization;
using Nats.Core.Subjects;

namespace Nats.Core.Monitoring;

/// <summary><c>/accountz</c>: the account names, or with <c>acc=NAME</c> one account's details.</summary>
public sealed class Accountz
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("now")] public DateTime Now { get; set; }
    [JsonPropertyName("system_account")] public string? SystemAccount { get; set; }
    [JsonPropertyName("accounts")] public IReadOnlyList<string>? Accounts { get; set; }
    [JsonPropertyName("account_detail")] public AccountInfo? Account { get; set; }
}

/// <summary>One account in <c>/accountz?acc=NAME</c>.</summary>
public sealed class AccountInfo
{
    [JsonPropertyName("account_name")] public string AccountName { get; set; } = "";
    [JsonPropertyName("update_time")] public DateTime UpdateTime { get; set; }
    [JsonPropertyName("is_system")] public bool? IsSystem { get; set; }
    [JsonPropertyName("expired")] public bool Expired { get; set; }
    [JsonPropertyName("complete")] public bool Complete { get; set; } = true;
    [JsonPropertyName("jetstream_enabled")] public bool JetStreamEnabled { get; set; }
    [JsonPropertyName("leafnode_connections")] public int LeafnodeConnections { get; set; }
    [JsonPropertyName("client_connections")] public int ClientConnections { get; set; }
    [JsonPropertyName("subscriptions")] public uint Subscriptions { get; set; }
    /// <summary>Subject mappings: source → destinations.</summary>
    [JsonPropertyName("mappings")] public IReadOnlyDictionary<string, IReadOnlyList<MapDest>>? Mappings { get; set; }
    [JsonPropertyName("exports")] public IReadOnlyList<ExtExport>? Exports { get; set; }
    [JsonPropertyName("imports")] public IReadOnlyList<ExtImport>? Imports { get; set; }
    /// <summary>Operator mode: the account's JWT.</summary>
    [JsonPropertyName("jwt")] public string? Jwt { get; set; }
    /// <summary>Operator mode: who signed the JWT (the operator or one of its signing keys).</summary>
    [JsonPropertyName("issuer_key")] public string? IssuerKey { get; set; }
    /// <summary>Operator mode: the JWT's <c>name</c>.</summary>
    [JsonPropertyName("name_tag")] public string? NameTag { get; set; }
    /// <summary>Operator mode: the JWT's <c>nats.tags</c>.</summary>
    [JsonPropertyName("tags")] public System.Text.Json.JsonElement? Tags { get; set; }
    /// <summary>Operator mode: the JWT's claims as JSON.</summary>
    [JsonPropertyName("decoded_jwt")] public System.Text.Json.JsonElement? DecodedJwt { get; set; }
    /// <summary>Operator mode: the JWT's validation findings now (expired, say); left out when there are none.</summary>
    [JsonPropertyName("validation_result_jwt")] public IReadOnlyList<ExtVrIssue>? ValidationResult { get; set; }
    /// <summary>Operator mode: revoked users (user key or <c>*</c> → revoked when issued at or before), sorted by key.</summary>
    [JsonPropertyName("revoked_user")] public IReadOnlyDictionary<string, DateTime>? RevokedUsers { get; set; }
    [JsonPropertyName("sublist_stats")] public SublistStats? SublistStats { get; set; }
}

/// <summary>One destination of a mapping in <c>/accountz</c> (nats-server's <c>MapDest</c>).</summary>
public sealed class MapDest
{
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";
    [JsonPropertyName("weight")] public int Weight { get; set; }
    [JsonPropertyName("cluster")] public string? Cluster { get; set; }
}

/// <summary>An export in <c>/accountz</c>: a JWT-style export plus the accounts allowed to import it.</summary>
public sealed class ExtExport
{
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";
    /// <summary><c>stream</c> or <c>service</c>.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    /// <summary>A JWT export's <c>token_req</c>: importers need an activation token (left out when false).</summary>
    [JsonPropertyName("token_req")] public bool? TokenRequired { get; set; }
    /// <summary>Services only: <c>Singleton</c>, <c>Streamed</c> or <c>Chunked</c>.</summary>
    [JsonPropertyName("response_type")] public string? ResponseType { get; set; }
    [JsonPropertyName("approved_accounts")] public IReadOnlyList<string>? ApprovedAccounts { get; set; }
    /// <summary>A JWT export's revoked activations (importer account or <c>*</c> → revoked when issued at or before), sorted by key.</summary>
    [JsonPropertyName("revoked_activations")] public IReadOnlyDictionary<string, DateTime>? RevokedActivations { get; set; }
}

/// <summary>One finding of an account JWT's validation in <c>/accountz</c> (nats-server's <c>ExtVrIssues</c>).</summary>
public sealed class ExtVrIssue
{
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("blocking")] public bool Blocking { get; set; }
    [JsonPropertyName("time_check")] public bool TimeCheck { get; set; }
}

/// <summary>An import in <c>/accountz</c>, as nats-server 2.10+ reports it.</summary>
public sealed class ExtImport
{
    /// <summary>The subject in the exporting account.</summary>
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";
    /// <summary>The exporting account.</summary>
    [JsonPropertyName("account")] public string Account { get; set; } = "";
    /// <summary>Services: the local subject (deprecated duplicate of <c>local_subject</c>, kept by nats-server).</summary>
    [JsonPropertyName("to")] public string? To { get; set; }
    /// <summary>The subject in the importing account.</summary>
    [JsonPropertyName("local_subject")] public string? LocalSubject { get; set; }
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("invalid")] public bool Invalid { get; set; }
    [JsonPropertyName("share")] public bool Share { get; set; }
    [JsonPropertyName("tracking")] public bool Tracking { get; set; }
}
