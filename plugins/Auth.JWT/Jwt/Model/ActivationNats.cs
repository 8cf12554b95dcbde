using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>The <c>nats</c> object of an activation JWT (jwt <c>Activation</c>): what the importer may import.</summary>
public sealed class ActivationNats : NatsFields
{
    [JsonPropertyName("subject"), OmitEmpty] public string? ImportSubject { get; set; }

    [JsonPropertyName("kind"), OmitEmpty] public ExportType ImportType { get; set; }

    /// <summary>The exporting account when a signing key issued the activation.</summary>
    [JsonPropertyName("issuer_account"), OmitEmpty] public string? IssuerAccount { get; set; }
}
