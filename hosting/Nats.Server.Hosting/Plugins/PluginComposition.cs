using System.Composition;
using System.Composition.Hosting;
using Nats.Core.Plugins;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// Finds the <see cref="IServerPlugin"/> exports of all loaded plugin assemblies with their
/// metadata, so that the host reads every plugin's name and order without creating the plugins
/// it will not run. Plain plugin classes (<see cref="PluginTypes"/>) are created directly; the
/// other assemblies are composed with one System.Composition container, which imports their
/// <c>ExportFactory&lt;IServerPlugin, ServerPluginMetadata&gt;</c>.
/// </summary>
internal sealed class PluginComposition : IDisposable
{
    // Null when no assembly needed composing. Owned by the loading thread, disposed with the loader.
    private readonly CompositionHost? _container;

    private PluginComposition(CompositionHost? container, IReadOnlyList<PluginExport> exports)
    {
        _container = container;
        Exports = exports;
    }

    /// <summary>Every exported plugin, not yet created.</summary>
    public IReadOnlyList<PluginExport> Exports { get; }

    /// <summary>
    /// Composes <paramref name="folders"/>. When that fails, each folder is composed on its own
    /// to find the ones at fault: those are passed to <paramref name="failed"/> (which throws
    /// to stop, or returns to skip the folder) and the rest are composed again.
    /// </summary>
    public static PluginComposition Compose(IReadOnlyList<LoadedFolder> folders, Action<LoadedFolder, string> failed)
    {
        var direct = folders.Where(f => f.PlainPlugins is not null)
            .SelectMany(f => f.PlainPlugins!)
            .Select(p => PluginExport.Direct(p.Type, p.Export))
            .ToList();
        var composed = folders.Where(f => f.PlainPlugins is null).ToList();
        if (composed.Count == 0)
        {
            return new PluginComposition(null, direct);
        }
        try
        {
            return Create(composed, direct);
        }
        catch (Exception e) when (IsCompositionError(e))
        {
            var healthy = new List<LoadedFolder>();
            foreach (var folder in composed)
            {
                try
                {
                    using var alone = Create([folder], []);
                    healthy.Add(folder);
                }
                catch (Exception single) when (IsCompositionError(single))
                {
                    failed(folder, "composition failed: " + single.Message);
                }
            }
            return Create(healthy, direct);
        }
    }

    public void Dispose() => _container?.Dispose();

    private static PluginComposition Create(IReadOnlyList<LoadedFolder> folders, IReadOnlyList<PluginExport> direct)
    {
        var container = new ContainerConfiguration().WithAssemblies(folders.Select(f => f.Assembly)).CreateContainer();
        try
        {
            // Materialized here, so that every part's imports and metadata are checked now.
            var exports = container.GetExports<ExportFactory<IServerPlugin, ServerPluginMetadata>>().Select(PluginExport.Composed);
            return new PluginComposition(container, [.. direct, .. exports]);
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

/// <summary>One exported plugin: its metadata, and how to create it.</summary>
/// <param name="Metadata">Name and order, read without creating the plugin.</param>
/// <param name="Create">Creates the plugin; may throw what its constructor throws (possibly wrapped in a TargetInvocationException).</param>
internal sealed record PluginExport(ServerPluginMetadata Metadata, Func<IServerPlugin> Create)
{
    /// <summary>A plain class, created with its public parameterless constructor.</summary>
    public static PluginExport Direct(Type type, ServerPluginAttribute export) =>
        new(new ServerPluginMetadata { Name = export.Name, Order = export.Order }, () => (IServerPlugin)Activator.CreateInstance(type)!);

    /// <summary>An export of the System.Composition container.</summary>
    public static PluginExport Composed(ExportFactory<IServerPlugin, ServerPluginMetadata> factory) =>
        new(factory.Metadata, () => factory.CreateExport().Value);
}
