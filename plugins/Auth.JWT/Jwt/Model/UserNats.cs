using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>The <c>nats</c> object of a user JWT (jwt <c>User</c>).</summary>
public sealed class UserNats : UserPermissionLimits, INatsFields
{
    /// <summary>The account a signing key issued this user for; empty when the account signed it itself.</summary>
    [JsonPropertyName("issuer_account"), JsonPropertyOrder(13), OmitEmpty] public string? IssuerAccount { get; set; }

    [JsonPropertyName("tags"), JsonPropertyOrder(100), OmitEmpty] public List<string>? Tags { get; set; }

    [JsonPropertyName("type"), JsonPropertyOrder(101), OmitEmpty] public string? Type { get; set; }

    [JsonPropertyName("version"), JsonPropertyOrder(102), OmitEmpty] public int Version { get; set; }
}
