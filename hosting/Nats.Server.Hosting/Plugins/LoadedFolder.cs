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
    /// A manifest that names its plugin class (<c>type</c>) spares that: loading every type loads
    /// every assembly the types name (System.Net.Http, Regex, a private MQTT library…) and JIT
    /// data for all of them, 2.5 MB of an idle server's memory over the stock plugins
    /// (docs/benchmarks.md, "Idle memory (2026-12-07)"). Then only that class is loaded, and the
    /// assemblies the plugin references that the platform does not provide are loaded to report
    /// a missing one here; a class that a container would not simply create (it imports
    /// something) is found by the full walk as before.
    /// <para>
    /// Not unloadable: plugins live as long as the server, and a collectible context would make
    /// every type it holds (cached by System.Composition and System.Text.Json) a leak risk for no gain.
    /// </para>
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
        if (manifest.Type is not null && DeclaredPlugin(folder, manifest, assembly) is { } declared)
        {
            CheckDependencies(folder, assembly);
            return new LoadedFolder(folder, manifest, assembly) { _types = declared };
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

    // The manifest's class when a container would just create it; null to walk every type.
    private static PluginTypes? DeclaredPlugin(PluginFolder folder, PluginManifest manifest, Assembly assembly)
    {
        Type? type;
        try
        {
            type = assembly.GetType(manifest.Type!, throwOnError: false);
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new PluginLoadFailure($"cannot load {manifest.Type}, the type {manifest.Path} names, from {folder.Name}.dll: {e.Message}", e);
        }
        if (type?.GetCustomAttribute<Nats.Core.Plugins.ServerPluginAttribute>() is not { } export)
        {
            throw new PluginLoadFailure($"{manifest.Path}: type \"{manifest.Type}\" is not a [ServerPlugin] class of {folder.Name}.dll");
        }
        return PluginTypes.IsPlain(type) ? PluginTypes.Declared(type, export) : null;
    }

    // The platform's assemblies (the shared frameworks and the host's own) always resolve.
    private static readonly Lazy<HashSet<string>> Platform = new(() =>
        [.. ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(System.IO.Path.GetFileNameWithoutExtension)
            .OfType<string>()]);

    // What the full walk found by loading every type, for the references the folder must provide.
    private static void CheckDependencies(PluginFolder folder, Assembly assembly)
    {
        var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(assembly)!;
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (SharedAssemblies.IsShared(reference) || Platform.Value.Contains(reference.Name ?? ""))
            {
                continue;
            }
            try
            {
                context.LoadFromAssemblyName(reference);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                throw new PluginLoadFailure($"cannot load {reference.Name}, a dependency of {folder.Name}.dll: {e.Message}", e);
            }
        }
    }
}

/// <summary>A plugin folder could not be loaded; the message is the reason, for the operator.</summary>
internal sealed class PluginLoadFailure(string message, Exception? inner = null) : Exception(message, inner);
