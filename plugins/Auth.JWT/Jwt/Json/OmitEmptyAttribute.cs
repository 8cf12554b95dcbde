using System.Collections;
using System.Text.Json.Serialization.Metadata;

namespace Nats.AuthJwt.Jwt.Json;

/// <summary>
/// Marks a property that Go declares with <c>omitempty</c>: it is left out of the JSON when it is
/// null, false, zero, an empty string or an empty collection. Go never omits a struct value,
/// so properties holding a nested object that Go embeds by value carry no such mark.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OmitEmptyAttribute : Attribute
{
    /// <summary>Installs the rule on every marked property of the contracts the resolver produces.</summary>
    public static void Apply(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider?.IsDefined(typeof(OmitEmptyAttribute), inherit: true) == true)
            {
                property.ShouldSerialize = static (_, value) => !IsEmpty(value);
            }
        }
    }

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        bool b => !b,
        int i => i == 0,
        long l => l == 0,
        uint u => u == 0,
        ulong u => u == 0,
        byte b => b == 0,
        Enum e => Convert.ToInt64(e) == 0,
        ICollection c => c.Count == 0,
        _ => false,
    };
}
