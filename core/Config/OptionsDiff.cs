using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Nats.Core.Config;

/// <summary>One option whose value differs between two option sets.</summary>
/// <param name="Path">The property path, e.g. <c>Auth.Users</c>.</param>
/// <param name="Old">The current value.</param>
/// <param name="New">The proposed value.</param>
public sealed record OptionChange(string Path, object? Old, object? New);

/// <summary>
/// Compares option objects property by property, descending into nested option classes,
/// so a reload knows exactly which options change.
/// </summary>
public static class OptionsDiff
{
    /// <summary>The leaf properties of <paramref name="type"/> as paths (<c>Cluster.Port</c>…).</summary>
    public static IEnumerable<string> LeafPaths(Type type, string prefix = "")
    {
        foreach (var property in Properties(type))
        {
            var path = prefix + property.Name;
            if (IsNested(property.PropertyType))
            {
                foreach (var child in LeafPaths(property.PropertyType, path + "."))
                {
                    yield return child;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    /// <summary>The leaf options whose values differ.</summary>
    public static List<OptionChange> Compare<T>(T current, T proposed)
        where T : class
    {
        var changes = new List<OptionChange>();
        Compare(typeof(T), current, proposed, "", changes);
        return changes;
    }

    private static void Compare(Type type, object? current, object? proposed, string prefix, List<OptionChange> changes)
    {
        foreach (var property in Properties(type))
        {
            var path = prefix + property.Name;
            var a = current is null ? null : property.GetValue(current);
            var b = proposed is null ? null : property.GetValue(proposed);
            if (IsNested(property.PropertyType))
            {
                Compare(property.PropertyType, a, b, path + ".", changes);
            }
            else if (!ConfigValues.Same(a, b, property.PropertyType))
            {
                changes.Add(new OptionChange(path, a, b));
            }
        }
    }

    // The option groups are walked by reflection, over the runtime's own metadata: a native
    // build keeps their public properties (and their getters, for GetValue) for it because they are
    // named here, not because the kernel is rooted whole. ReloadTests checks that every group the
    // walk reaches from ServerOptions is in this list.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ServerOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(AuthOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(MonitoringOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(LoggingOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ClusterOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(FlagOverrides))]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The option groups' public properties are kept by the DynamicDependency list above.")]
    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.GetMethod!.IsPublic && p.CanWrite);

    // Option groups (AuthOptions, ClusterOptions…) are walked into; everything else, including
    // configuration records such as users and permissions, is one value.
    private static bool IsNested(Type type) =>
        type.Namespace == typeof(ServerOptions).Namespace &&
        ((type.Name.EndsWith("Options", StringComparison.Ordinal) && type != typeof(TlsOptions)) || type == typeof(FlagOverrides));

}
