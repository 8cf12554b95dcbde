using System.Text.Json.Serialization;
using Newtonsoft.Json;

namespace HtpasswdAuth;

/// <summary>
/// What the plugin reports about itself, at <c>/htpasswdz</c> (serialized by the kernel's
/// monitoring with System.Text.Json) and on the status subject (serialized here with Newtonsoft).
/// </summary>
public sealed class HtpasswdStatus
{
    [JsonPropertyName("file")]
    [JsonProperty("file")]
    public string? File { get; init; }

    [JsonPropertyName("access")]
    [JsonProperty("access")]
    public string? Access { get; init; }

    [JsonPropertyName("users")]
    [JsonProperty("users")]
    public int Users { get; init; }

    [JsonPropertyName("loaded")]
    [JsonProperty("loaded")]
    public DateTime Loaded { get; init; }

    [JsonPropertyName("reloads")]
    [JsonProperty("reloads")]
    public int Reloads { get; init; }

    [JsonPropertyName("version")]
    [JsonProperty("version")]
    public string Version { get; init; } = "";
}
