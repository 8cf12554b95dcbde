using System.Reflection;
using System.Runtime.Loader;

namespace Nats.Host.Plugins;

/// <summary>
/// The load context of one plugin folder. Private dependencies resolve from the folder through
/// the plugin's <c>.deps.json</c> (<see cref="AssemblyDependencyResolver"/>, which also knows
/// its <c>runtimes/&lt;rid&gt;/</c> native and RID-specific assets), so two plugins can carry
/// different versions of the same library. Shared assemblies (<see cref="SharedAssemblies"/>)
/// are left to the default context, so that types unify with the host's.
/// </summary>
/// <remarks>
/// Not collectible: plugins live as long as the server, and a collectible context would make
/// every type it holds (cached by System.Composition and System.Text.Json) a leak risk for no gain.
/// </remarks>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public PluginLoadContext(PluginFolder folder)
        : base("plugin:" + folder.Name, isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(folder.EntryAssemblyPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (SharedAssemblies.IsShared(assemblyName))
        {
            // Null defers to the default context: the host's copy, whatever the folder holds.
            return null;
        }
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        // Not a private dependency: the default context may still have it (one of the host's own).
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
