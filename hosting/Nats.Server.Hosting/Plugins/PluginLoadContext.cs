using System.Reflection;
using System.Runtime.Loader;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// The load context of one plugin folder. The contract (<see cref="SharedAssemblies"/>) always
/// comes from the default context, so that types unify with the kernel's; everything else the
/// plugin's <c>.deps.json</c> lists resolves from the folder (native and RID-specific assets
/// included), so two plugins can carry different versions of one library; what the plugin does
/// not carry (the shared frameworks, the host's own libraries) falls back to the default context,
/// and last an assembly lying in the folder but missing from the deps file is taken from there.
/// </summary>
/// <remarks>
/// The runtime's <see cref="AssemblyDependencyResolver"/> reads the deps file natively (the host
/// policy that resolved the application's own). McMaster.NETCore.Plugins, used before, parsed the
/// deps and runtimeconfig files with reflection-based System.Text.Json: some 30 ms of JIT and
/// reflection on every server's start, before the client port could open, for the same result.
/// Not collectible: plugins live as long as the server.
/// </remarks>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    // Immutable after construction; used by whichever thread loads an assembly into the context.
    private readonly AssemblyDependencyResolver _resolver;
    private readonly string _directory;

    /// <summary>Creates the context of the plugin whose entry assembly is <paramref name="entryAssemblyPath"/>.</summary>
    /// <exception cref="InvalidOperationException">The plugin's deps file cannot be used.</exception>
    public PluginLoadContext(string entryAssemblyPath)
        : base(Path.GetFileNameWithoutExtension(entryAssemblyPath), isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(entryAssemblyPath);
        _directory = Path.GetDirectoryName(Path.GetFullPath(entryAssemblyPath))!;
        Resolving += FromFolder;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (SharedAssemblies.IsShared(assemblyName))
        {
            return null; // the default context's copy
        }
        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    // Neither the deps file nor the default context knows it: a library copied into the folder by hand.
    private Assembly? FromFolder(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is null || SharedAssemblies.IsShared(name))
        {
            return null;
        }
        var path = Path.Combine(_directory, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
