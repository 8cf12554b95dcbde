using Nats.Core.Config;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// Finds the plugin folders: every sub-folder of the stock <c>plugins/</c> directory next to the
/// host executable, and of the directory named by <c>plugins { dir }</c> or <c>--plugins_dir</c>.
/// </summary>
internal static class PluginDiscovery
{
    /// <summary><c>plugins/</c> next to the host executable, where a build puts the plugins it ships.</summary>
    public static string StockDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary>
    /// The folders, sorted by name. A folder in <paramref name="configuredDirectory"/> replaces a
    /// stock folder of the same name, so an operator can deploy a newer build of a shipped
    /// plugin without touching the installation. A missing stock directory just means no stock
    /// plugins; a missing configured directory is an error, since the operator asked for it.
    /// </summary>
    /// <exception cref="ConfigurationException">The configured directory does not exist.</exception>
    public static IReadOnlyList<PluginFolder> Find(string stockDirectory, string? configuredDirectory)
    {
        var folders = new SortedDictionary<string, PluginFolder>(StringComparer.OrdinalIgnoreCase);
        AddFolders(folders, stockDirectory);
        if (configuredDirectory is not null)
        {
            var full = Path.GetFullPath(configuredDirectory);
            if (!Directory.Exists(full))
            {
                throw new ConfigurationException($"plugins directory \"{configuredDirectory}\" does not exist");
            }
            AddFolders(folders, full);
        }
        return [.. folders.Values];
    }

    private static void AddFolders(SortedDictionary<string, PluginFolder> folders, string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }
        foreach (var path in Directory.EnumerateDirectories(directory))
        {
            var name = Path.GetFileName(path);
            // Hidden folders are not plugins (editors and tools leave them behind).
            if (!name.StartsWith('.'))
            {
                folders[name] = new PluginFolder(name, Path.GetFullPath(path));
            }
        }
    }
}
