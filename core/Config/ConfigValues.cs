using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Nats.Core.Config;

/// <summary>
/// Whether two configuration values (options, account definitions, mappings, lists of them) say
/// the same thing: reload uses it to tell what changed.
/// </summary>
public static class ConfigValues
{
    // The kernel's configuration types from compile-time metadata (ConfigJsonContext), so a native
    // build compares them without reflection; anything else (a plugin's own value in the JIT host)
    // by reflection where the runtime has it.
    private static readonly JsonSerializerOptions Options = new()
    {
        TypeInfoResolver = JsonSerializer.IsReflectionEnabledByDefault
            ? JsonTypeInfoResolver.Combine(ConfigJsonContext.Default, new DefaultJsonTypeInfoResolver())
            : ConfigJsonContext.Default,
    };

    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> are equal, both empty (null or an
    /// empty collection), or serialize to the same JSON as <typeparamref name="T"/>. Configuration
    /// records hold lists, whose own equality is by reference, and gain fields over time: comparing
    /// their JSON keeps every field in the comparison without a hand-written member list to forget
    /// one in.
    /// </summary>
    public static bool Same<T>(T? a, T? b) => Same(a, b, typeof(T));

    /// <summary>
    /// <see cref="Same{T}"/> for values known by their declared <paramref name="type"/> (a
    /// property's type): written as that type, so an interface-typed list compares by its items
    /// whatever collection holds them.
    /// </summary>
    /// <exception cref="NotSupportedException">No JSON metadata for <paramref name="type"/>: not a kernel configuration type, in a runtime without reflection (the native build).</exception>
    public static bool Same(object? a, object? b, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (Equals(a, b))
        {
            return true;
        }
        if (a is null || b is null)
        {
            return IsEmpty(a) && IsEmpty(b);
        }
        var info = Options.GetTypeInfo(type);
        return JsonSerializer.Serialize(a, info) == JsonSerializer.Serialize(b, info);
    }

    private static bool IsEmpty(object? value) => value is null || (value is ICollection c && c.Count == 0);
}
