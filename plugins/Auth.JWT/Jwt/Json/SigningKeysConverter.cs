using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Nats.AuthJwt.Jwt.Model;

namespace Nats.AuthJwt.Jwt.Json;

/// <summary>
/// jwt's <c>SigningKeys</c> (Un)MarshalJSON: an array whose items are key strings or scope
/// objects. Reading, an object must have <c>kind: "user_scope"</c>, and its template starts from
/// unlimited subs/data/payload (jwt's <c>NewUserScope</c>) so absent limits stay unlimited; other
/// item types are skipped as jwt skips them.
/// </summary>
internal sealed class SigningKeysConverter : JsonConverter<SigningKeys>
{
    public override SigningKeys Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"json: cannot unmarshal {document.RootElement.ValueKind} into signing keys");
        }
        var keys = new SigningKeys();
        var scopeInfo = (JsonTypeInfo<UserScope>)options.GetTypeInfo(typeof(UserScope));
        foreach (var item in document.RootElement.EnumerateArray())
        {
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    keys[item.GetString()!] = null;
                    break;
                case JsonValueKind.Object:
                    var kind = item.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
                    if (kind != UserScope.UserScopeKind)
                    {
                        throw new JsonException($"unknown signing key scope \"{kind}\"");
                    }
                    var scope = item.Deserialize(scopeInfo) ?? throw new JsonException("unknown signing key scope");
                    ApplyUnlimitedDefaults(item, scope);
                    keys[scope.Key] = scope;
                    break;
            }
        }
        return keys;
    }

    public override void Write(Utf8JsonWriter writer, SigningKeys value, JsonSerializerOptions options)
    {
        var scopeInfo = (JsonTypeInfo<UserScope>)options.GetTypeInfo(typeof(UserScope));
        writer.WriteStartArray();
        foreach (var (key, scope) in value)
        {
            if (scope is null)
            {
                writer.WriteStringValue(key);
            }
            else
            {
                JsonSerializer.Serialize(writer, scope, scopeInfo);
            }
        }
        writer.WriteEndArray();
    }

    // jwt unmarshals into a scope made by NewUserScope, so limits the JSON leaves out stay -1.
    private static void ApplyUnlimitedDefaults(JsonElement item, UserScope scope)
    {
        if (!JsonProperties.TryGet(item, "template", out var template) || template.ValueKind != JsonValueKind.Object)
        {
            if (!JsonProperties.TryGet(item, "template", out _))
            {
                scope.Template.SetUnlimitedNatsLimits();
            }
            return;
        }
        if (!JsonProperties.TryGet(template, "subs", out _))
        {
            scope.Template.Subs = JwtLimits.NoLimit;
        }
        if (!JsonProperties.TryGet(template, "data", out _))
        {
            scope.Template.Data = JwtLimits.NoLimit;
        }
        if (!JsonProperties.TryGet(template, "payload", out _))
        {
            scope.Template.Payload = JwtLimits.NoLimit;
        }
    }
}
