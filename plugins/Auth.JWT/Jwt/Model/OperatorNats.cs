using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>The <c>nats</c> object of an operator JWT (jwt <c>Operator</c>).</summary>
public sealed class OperatorNats : NatsFields
{
    /// <summary>Operator keys allowed to sign account JWTs besides the operator's own.</summary>
    [JsonPropertyName("signing_keys"), OmitEmpty] public List<string>? SigningKeys { get; set; }

    [JsonPropertyName("account_server_url"), OmitEmpty] public string? AccountServerUrl { get; set; }

    [JsonPropertyName("operator_service_urls"), OmitEmpty] public List<string>? OperatorServiceUrls { get; set; }

    [JsonPropertyName("system_account"), OmitEmpty] public string? SystemAccount { get; set; }

    [JsonPropertyName("assert_server_version"), OmitEmpty] public string? AssertServerVersion { get; set; }

    /// <summary>When set, only the signing keys (not the operator key itself) may sign accounts.</summary>
    [JsonPropertyName("strict_signing_key_usage"), OmitEmpty] public bool StrictSigningKeyUsage { get; set; }
}
