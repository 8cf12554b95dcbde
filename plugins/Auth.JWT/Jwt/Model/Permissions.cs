using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>Allow and deny subject lists (jwt <c>Permission</c>); null lists were absent from the JSON.</summary>
public sealed class Permission
{
    [JsonPropertyName("allow"), OmitEmpty] public List<string>? Allow { get; set; }

    [JsonPropertyName("deny"), OmitEmpty] public List<string>? Deny { get; set; }

    /// <summary>True when neither list has an entry.</summary>
    [JsonIgnore] public bool IsEmpty => (Allow?.Count ?? 0) == 0 && (Deny?.Count ?? 0) == 0;
}

/// <summary>Replies allowed to requests received (jwt <c>ResponsePermission</c>): <c>max</c> messages within <c>ttl</c> nanoseconds.</summary>
public sealed class ResponsePermission
{
    [JsonPropertyName("max")] public int MaxMessages { get; set; }

    /// <summary>Go <c>time.Duration</c>: nanoseconds.</summary>
    [JsonPropertyName("ttl")] public long ExpiresNanoseconds { get; set; }
}

/// <summary>Publish/subscribe permissions (jwt <c>Permissions</c>).</summary>
public sealed class Permissions
{
    [JsonPropertyName("pub")] public Permission Pub { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("sub")] public Permission Sub { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("resp"), OmitEmpty] public ResponsePermission? Resp { get; set; }
}

/// <summary>A daily connect window, <c>"HH:MM:SS"</c> to <c>"HH:MM:SS"</c> (jwt <c>TimeRange</c>).</summary>
public sealed class TimeRange
{
    [JsonPropertyName("start"), OmitEmpty] public string? Start { get; set; }

    [JsonPropertyName("end"), OmitEmpty] public string? End { get; set; }
}
