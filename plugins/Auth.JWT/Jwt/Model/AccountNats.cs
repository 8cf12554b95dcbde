using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>The <c>nats</c> object of an account JWT (jwt <c>Account</c>), in Go's field order.</summary>
public sealed class AccountNats : NatsFields
{
    [JsonPropertyName("imports"), OmitEmpty] public List<Import>? Imports { get; set; }

    [JsonPropertyName("exports"), OmitEmpty] public List<Export>? Exports { get; set; }

    [JsonPropertyName("limits")] public OperatorLimits Limits { get; set => field = value ?? new(); } = new();

    /// <summary>Keys that may issue users for the account; a key may carry a user scope.</summary>
    [JsonPropertyName("signing_keys"), OmitEmpty] public SigningKeys? SigningKeys { get; set; }

    /// <summary>Revoked users: user key (or "*") → issued-at limit.</summary>
    [JsonPropertyName("revocations"), OmitEmpty] public RevocationList? Revocations { get; set; }

    /// <summary>Permissions of users whose JWT has none.</summary>
    [JsonPropertyName("default_permissions")] public Permissions DefaultPermissions { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("mappings"), OmitEmpty] public SubjectMappings? Mappings { get; set; }

    [JsonPropertyName("authorization")] public ExternalAuthorization Authorization { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("trace"), OmitEmpty] public MsgTrace? Trace { get; set; }

    /// <summary><c>system</c>, <c>owner</c> or empty.</summary>
    [JsonPropertyName("cluster_traffic"), OmitEmpty] public string? ClusterTraffic { get; set; }

    [JsonPropertyName("description"), OmitEmpty] public string? Description { get; set; }

    [JsonPropertyName("info_url"), OmitEmpty] public string? InfoUrl { get; set; }
}
