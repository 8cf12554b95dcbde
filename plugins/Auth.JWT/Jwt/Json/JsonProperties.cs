using System.Text.Json;

namespace Nats.AuthJwt.Jwt.Json;

/// <summary>Property lookup with Go's <c>encoding/json</c> rule: an exact match first, else the last case-insensitive one.</summary>
internal static class JsonProperties
{
    public static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }
        var found = false;
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                found = true;
            }
        }
        return found;
    }

    /// <summary>The string value of <paramref name="name"/>, or null when absent or not a string.</summary>
    public static string? GetString(JsonElement element, string name) =>
        TryGet(element, name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
