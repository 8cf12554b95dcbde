using System.Composition;
using System.Composition.Hosting;
using Nats.Core.Plugins;
using AssemblyContextLoader = McMaster.NETCore.Plugins.PluginLoader;

namespace Nats.Host.Plugins;

/// <summary>
/// Runs the plugin machinery once on a spare thread while the main thread reads the config and
/// builds the server, so that loading the real plugins later finds it warm. The first
/// McMaster load context reads the deps and runtimeconfig files through reflection-based
/// System.Text.Json, and the first System.Composition container compiles its activators: over
/// 150 ms of one-time work before the client port could open, on the start-up path every
/// server takes. Nothing here is kept or loaded into the server: a failure is ignored (the real
/// load reports its own).
/// </summary>
internal static class PluginMachineryWarmUp
{
    /// <summary>Starts the warm-up; the returned task never faults.</summary>
    public static Task Start() => Task.Run(static () =>
    {
        try
        {
            // The host's own files stand in for a plugin's: the same readers run, nothing loads.
            var self = typeof(PluginMachineryWarmUp).Assembly.Location;
            using (new AssemblyContextLoader(new McMaster.NETCore.Plugins.PluginConfig(self) { IsLazyLoaded = true }))
            {
            }
            using var container = new ContainerConfiguration().WithAssembly(typeof(PluginMachineryWarmUp).Assembly).CreateContainer();
            _ = container.GetExports<ExportFactory<IServerPlugin, ServerPluginMetadata>>().Count();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only a warm-up.
        }
    });
}
