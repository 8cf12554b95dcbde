using System.Collections;
using System.Text.Json;

namespace Nats.Core.Config;

/// <summary>
/// Whether two configuration values (options, account definitions, mappings, lists of them) say
/// the same thing: reload uses it to tell what changed.
/// </summary>
public static class ConfigValues
{
    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> are equal, both empty (null or an
    /// empty collection), or serialize to the same JSON. Configuration records hold lists, whose
    /// own equality is by reference, and gain fields over time: comparing their JSON keeps every
    /// field in the comparison without a hand-written member list to forget one in.
    /// </summary>
    public static bool Same(object? a, object? b)
    {
        if (Equals(a, b))
        {
            return true;
        }
        if (a is null || b is null)
        {
            return IsEmpty(a) && IsEmpty(b);
        }
        return JsonSerializer.Serialize(a, a.GetType()) == JsonSerializer.Serialize(b, b.GetType());
    }

    private static bool IsEmpty(object? value) => value is null || (value is ICollection c && c.Count == 0);
}
