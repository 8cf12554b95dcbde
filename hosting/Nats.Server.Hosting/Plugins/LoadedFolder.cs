using System.Reflection;

namespace Nats.Server.Hosting.Plugins;

/// <summary>A plugin folder whose entry assembly loaded in its own context.</summary>
/// <param name="Folder">The folder.</param>
/// <param name="Manifest">Its <c>plugin.toml</c>.</param>
/// <param name="Assembly">The entry assembly.</param>
internal sealed record LoadedFolder(PluginFolder Folder, PluginManifest Manifest, Assembly Assembly)
{
    // Read once, by the thread loading the plugins.
    private PluginTypes? _types;

    /// <summary>
    /// The names of the plugins the assembly exports with <see cref="Nats.Core.Plugins.ServerPluginAttribute"/>,
    /// read before any is created, so that <c>load</c> and <c>optional</c> can name the folder instead.
    /// </summary>
    public IReadOnlySet<string> PluginNames => Types.Names;

    /// <summary>
    /// The plugin classes when the assembly can be used without System.Composition (see
    /// <see cref="PluginTypes"/>), else null: then it is composed as before.
    /// </summary>
    public IReadOnlyList<(Type Type, Nats.Core.Plugins.ServerPluginAttribute Export)>? PlainPlugins => Types.Plain;

    private PluginTypes Types => _types ??= PluginTypes.Of(Assembly);

    /// <summary>The plugin's version for the log: its informational version (what <c>&lt;Version&gt;</c> set), else the manifest's.</summary>
    public string Version =>
        Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? Manifest.Version;

    /// <summary>
    /// Loads <paramref name="folder"/>'s entry assembly into a context of its own
    /// (<see cref="PluginLoadContext"/>): private dependencies (and their native and RID-specific
    /// assets) resolve from the folder through its <c>.deps.json</c>, so two plugins can carry
    /// different versions of one library; the contract (<see cref="SharedAssemblies"/>) always
    /// comes from the host, so types unify. Shared assemblies are named lazily: nothing is loaded
    /// into the default context before a plugin asks for it. Then every type is checked to load,
    /// so that a missing or mismatched dependency is reported here, against this folder, rather
    /// than later inside composition where it would break all plugins.
    /// </summary>
    /// <remarks>
    /// Not unloadable: plugins live as long as the server, and a collectible context would make
    /// every type it holds (cached by System.Composition and System.Text.Json) a leak risk for no gain.
    /// </remarks>
    /// <exception cref="PluginLoadFailure">The folder is not a usable plugin; the message says why.</exception>
    public static LoadedFolder Load(PluginFolder folder, PluginManifest manifest)
    {
        if (!File.Exists(folder.EntryAssemblyPath))
        {
            throw new PluginLoadFailure($"no {folder.Name}.dll in {folder.Path} (a plugin folder holds <Name>/<Name>.dll)");
        }
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(folder.EntryAssemblyPath).LoadFromAssemblyPath(Path.GetFullPath(folder.EntryAssemblyPath));
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or InvalidOperationException or InvalidDataException)
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
        return new LoadedFolder(folder, manifest, assembly);
    }
}

/// <summary>A plugin folder could not be loaded; the message is the reason, for the operator.</summary>
internal sealed class PluginLoadFailure(string message, Exception? inner = null) : Exception(message, inner);
