using System.Reflection;

namespace Nats.Host.Plugins;

/// <summary>A plugin folder whose entry assembly loaded in its own context.</summary>
/// <param name="Folder">The folder.</param>
/// <param name="Assembly">The entry assembly.</param>
internal sealed record LoadedFolder(PluginFolder Folder, Assembly Assembly)
{
    /// <summary>
    /// The names of the plugins the assembly exports with <see cref="Nats.Core.Plugins.ServerPluginAttribute"/>,
    /// read before any is created, so that <c>load</c> and <c>optional</c> can name the folder instead.
    /// </summary>
    public IReadOnlySet<string> PluginNames { get; } = new HashSet<string>(
        Assembly.GetTypes()
            .Select(t => t.GetCustomAttribute<Nats.Core.Plugins.ServerPluginAttribute>()?.Name)
            .OfType<string>(),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>The plugin's version for the log: its informational version (what <c>&lt;Version&gt;</c> set), else the assembly version.</summary>
    public string Version =>
        Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    /// <summary>
    /// Loads <paramref name="folder"/>'s entry assembly into a context of its own and checks that
    /// every type in it loads, so that a missing or mismatched dependency is reported here,
    /// against this folder, rather than later inside composition where it would break all plugins.
    /// </summary>
    /// <exception cref="PluginLoadFailure">The folder is not a usable plugin; the message says why.</exception>
    public static LoadedFolder Load(PluginFolder folder)
    {
        if (!File.Exists(folder.EntryAssemblyPath))
        {
            throw new PluginLoadFailure($"no {folder.Name}.dll in {folder.Path} (a plugin folder holds <Name>/<Name>.dll)");
        }
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(folder).LoadFromAssemblyPath(folder.EntryAssemblyPath);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or InvalidOperationException)
        {
            throw new PluginLoadFailure($"cannot load {folder.EntryAssemblyPath}: {e.Message}", e);
        }
        try
        {
            _ = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            var first = e.LoaderExceptions.FirstOrDefault(x => x is not null);
            throw new PluginLoadFailure($"cannot load the types of {folder.Name}.dll: {first?.Message ?? e.Message}", e);
        }
        return new LoadedFolder(folder, assembly);
    }
}

/// <summary>A plugin folder could not be loaded; the message is the reason, for the operator.</summary>
internal sealed class PluginLoadFailure(string message, Exception? inner = null) : Exception(message, inner);
