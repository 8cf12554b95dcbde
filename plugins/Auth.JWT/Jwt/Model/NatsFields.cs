using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>jwt's <c>GenericFields</c>, embedded last in every claim's <c>nats</c> object.</summary>
public interface INatsFields
{
    /// <summary>Tags (jwt lower-cases them when added through its API; decoding keeps them as sent).</summary>
    List<string>? Tags { get; set; }

    /// <summary>The claim type (<c>user</c>, <c>account</c>, …).</summary>
    string? Type { get; set; }

    /// <summary>The JWT library version that encoded it: 2 (1 for migrated v1 tokens).</summary>
    int Version { get; set; }
}

/// <summary>A claim's <c>nats</c> object whose only inherited fields are jwt's <c>GenericFields</c>.</summary>
public abstract class NatsFields : INatsFields
{
    [JsonPropertyName("tags"), JsonPropertyOrder(100), OmitEmpty] public List<string>? Tags { get; set; }

    [JsonPropertyName("type"), JsonPropertyOrder(101), OmitEmpty] public string? Type { get; set; }

    [JsonPropertyName("version"), JsonPropertyOrder(102), OmitEmpty] public int Version { get; set; }
}
