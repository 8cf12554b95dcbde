using Nats.Core.Config;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// Which plugins the host loads: the <c>plugins { dir, load, optional }</c> section of the
/// config file, with <c>--plugins_dir</c> over <c>dir</c> (flags win over the file, as for
/// every nats-server option).
/// </summary>
/// <remarks>
/// A plugin is named by its <see cref="Nats.Core.Plugins.ServerPluginAttribute.Name"/>; the
/// name of its folder is accepted too, so that a folder that fails before any name is known
/// can still be made optional. Names compare without regard to case.
/// </remarks>
internal sealed class PluginSettings : IEquatable<PluginSettings>
{
    /// <summary>The top-level config key.</summary>
    public const string SectionName = "plugins";

    /// <summary>No section: every plugin found loads, none is optional.</summary>
    public static readonly PluginSettings Default = new(null, null, []);

    private PluginSettings(string? directory, IReadOnlyList<string>? load, IReadOnlyList<string> optional)
    {
        Directory = directory;
        Load = load;
        Optional = optional;
    }

    /// <summary>A directory of plugin folders besides the stock <c>plugins/</c> next to the executable; null for none.</summary>
    public string? Directory { get; }

    /// <summary>The plugins to run; null runs every plugin found.</summary>
    public IReadOnlyList<string>? Load { get; }

    /// <summary>Plugins whose failure is logged and skipped instead of stopping the server.</summary>
    public IReadOnlyList<string> Optional { get; }

    /// <summary>Reads the section (null when absent). Throws <see cref="ConfigException"/> naming the option.</summary>
    public static PluginSettings Parse(ConfValue? section)
    {
        if (section is null)
        {
            return Default;
        }
        if (section is not ConfMap map)
        {
            throw new ConfigException(section.Position, $"{SectionName}: expected a map, got {section.Describe()}");
        }
        string? directory = null;
        IReadOnlyList<string>? load = null;
        IReadOnlyList<string> optional = [];
        foreach (var entry in map)
        {
            switch (entry.Key.ToLowerInvariant())
            {
                case "dir" or "directory":
                    directory = entry.Value is ConfString { Value.Length: > 0 } text
                        ? text.Value
                        : throw new ConfigException(entry.KeyPosition, $"{SectionName}.{entry.Key}: expected a directory name, got {entry.Value.Describe()}");
                    break;
                case "load":
                    load = Names(entry);
                    break;
                case "optional":
                    optional = Names(entry);
                    break;
                default:
                    throw new ConfigException(entry.KeyPosition, $"{SectionName}: unknown field \"{entry.Key}\"");
            }
        }
        return new PluginSettings(directory, load, optional);
    }

    /// <summary>These settings with <c>--plugins_dir</c> applied (null leaves <see cref="Directory"/> as it is).</summary>
    public PluginSettings WithDirectory(string? directory) =>
        directory is null ? this : new PluginSettings(directory, Load, Optional);

    /// <summary>True when <paramref name="names"/> (a plugin's name, its folder's name) include one that <c>load</c> lists, or when there is no <c>load</c>.</summary>
    public bool IsSelected(params string?[] names) => Load is null || names.Any(n => Contains(Load, n));

    /// <summary>True when one of <paramref name="names"/> is listed as optional.</summary>
    public bool IsOptional(params string?[] names) => names.Any(n => Contains(Optional, n));

    public bool Equals(PluginSettings? other) =>
        other is not null
        && string.Equals(Directory, other.Directory, StringComparison.Ordinal)
        && (Load is null ? other.Load is null : other.Load is not null && Load.SequenceEqual(other.Load, StringComparer.OrdinalIgnoreCase))
        && Optional.SequenceEqual(other.Optional, StringComparer.OrdinalIgnoreCase);

    // Value equality: the config bus compares parsed sections to tell whether a reload changes them.
    public override bool Equals(object? obj) => Equals(obj as PluginSettings);

    public override int GetHashCode() => HashCode.Combine(Directory, Load?.Count, Optional.Count);

    public override string ToString() =>
        $"dir={Directory ?? "<none>"}, load=[{string.Join(", ", Load ?? ["*"])}], optional=[{string.Join(", ", Optional)}]";

    private static bool Contains(IReadOnlyList<string> list, string? name) =>
        name is not null && list.Contains(name, StringComparer.OrdinalIgnoreCase);

    // A list of names, or one name on its own.
    private static IReadOnlyList<string> Names(ConfEntry entry) => entry.Value switch
    {
        ConfString { Value.Length: > 0 } one => [one.Value],
        ConfList list => [.. list.Select(item => item is ConfString { Value.Length: > 0 } name
            ? name.Value
            : throw new ConfigException(item.Position, $"{SectionName}.{entry.Key}: expected plugin names, got {item.Describe()}"))],
        _ => throw new ConfigException(entry.KeyPosition, $"{SectionName}.{entry.Key}: expected a list of plugin names, got {entry.Value.Describe()}"),
    };
}
