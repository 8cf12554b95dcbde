using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>
/// A signing key that may only issue users with its <see cref="Template"/> (jwt <c>UserScope</c>,
/// kind <c>user_scope</c>). Users it signs must carry no permissions or limits of their own.
/// </summary>
public sealed class UserScope
{
    /// <summary>Always <c>user_scope</c>, the only scope kind jwt defines.</summary>
    public const string UserScopeKind = "user_scope";

    [JsonPropertyName("kind")] public string Kind { get; set; } = UserScopeKind;

    [JsonPropertyName("key")] public string Key { get; set; } = "";

    [JsonPropertyName("role")] public string Role { get; set; } = "";

    /// <summary>Permissions and limits given to every user the key signs; may use templates (<c>{{name()}}</c>…).</summary>
    [JsonPropertyName("template")] public UserPermissionLimits Template { get; set => field = value ?? new(); } = NewTemplate();

    [JsonPropertyName("description")] public string Description { get; set; } = "";

    /// <summary>jwt <c>NewUserScope</c>'s template: no permissions, unlimited subs/data/payload.</summary>
    public static UserPermissionLimits NewTemplate()
    {
        var template = new UserPermissionLimits();
        template.SetUnlimitedNatsLimits();
        return template;
    }
}

/// <summary>
/// An account's signing keys: key → its scope, or null for a plain key (jwt <c>SigningKeys</c>).
/// Written as a JSON array sorted by key: plain keys as strings, scoped keys as objects.
/// </summary>
[JsonConverter(typeof(SigningKeysConverter))]
public sealed class SigningKeys() : SortedDictionary<string, UserScope?>(StringComparer.Ordinal)
{
    /// <summary>Adds plain signing keys.</summary>
    public void Add(params string[] keys)
    {
        foreach (var key in keys)
        {
            this[key] = null;
        }
    }

    /// <summary>Adds a scoped signing key.</summary>
    public void AddScope(UserScope scope) => this[scope.Key] = scope;
}
