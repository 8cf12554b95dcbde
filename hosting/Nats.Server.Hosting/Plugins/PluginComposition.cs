using System.Composition;
using System.Composition.Hosting;
using Nats.Core.Plugins;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// Composes the exports of all loaded plugin assemblies with one System.Composition container
/// and imports their <see cref="IServerPlugin"/> factories with metadata, so that the host
/// reads every plugin's name and order without creating the plugins it will not run.
/// </summary>
internal sealed class PluginComposition : IDisposable
{
    private readonly CompositionHost _container;

    private PluginComposition(CompositionHost container, IReadOnlyList<ExportFactory<IServerPlugin, ServerPluginMetadata>> exports)
    {
        _container = container;
        Exports = exports;
    }

    /// <summary>Every exported plugin, not yet created.</summary>
    public IReadOnlyList<ExportFactory<IServerPlugin, ServerPluginMetadata>> Exports { get; }

    /// <summary>
    /// Composes <paramref name="folders"/>. When that fails, each folder is composed on its own
    /// to find the ones at fault: those are passed to <paramref name="failed"/> (which throws
    /// to stop, or returns to skip the folder) and the rest are composed again.
    /// </summary>
    public static PluginComposition Compose(IReadOnlyList<LoadedFolder> folders, Action<LoadedFolder, string> failed)
    {
        try
        {
            return Create(folders);
        }
        catch (Exception e) when (IsCompositionError(e))
        {
            var healthy = new List<LoadedFolder>();
            foreach (var folder in folders)
            {
                try
                {
                    using var alone = Create([folder]);
                    healthy.Add(folder);
                }
                catch (Exception single) when (IsCompositionError(single))
                {
                    failed(folder, "composition failed: " + single.Message);
                }
            }
            return Create(healthy);
        }
    }

    public void Dispose() => _container.Dispose();

    private static PluginComposition Create(IReadOnlyList<LoadedFolder> folders)
    {
        var container = new ContainerConfiguration().WithAssemblies(folders.Select(f => f.Assembly)).CreateContainer();
        try
        {
            // Materialized here, so that every part's imports and metadata are checked now.
            return new PluginComposition(container, [.. container.GetExports<ExportFactory<IServerPlugin, ServerPluginMetadata>>()]);
        }
        catch
        {
            container.Dispose();
            throw;
        }
    }

    private static bool IsCompositionError(Exception e) =>
        e is CompositionFailedException or System.Reflection.ReflectionTypeLoadException or InvalidOperationException or TypeLoadException or MissingMethodException;
}
