using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// What a host does with plugins around a server it created but has not started: the stock
/// executable and <c>AddNatsServer</c> in an application load them the same way.
/// </summary>
internal static class PluginHosting
{
    /// <summary>
    /// Binds the <c>plugins {}</c> section (it cannot change while running: plugins are loaded
    /// once), applies <paramref name="pluginsDirectory"/> (<c>--plugins_dir</c>) over it, and loads the plugins into <paramref name="server"/>.
    /// The returned loader holds the composition and lives as long as the server.
    /// </summary>
    /// <exception cref="Nats.Core.Plugins.PluginException">A plugin that is not optional failed.</exception>
    /// <exception cref="Nats.Core.Config.ConfigException">The <c>plugins {}</c> section is invalid.</exception>
    /// <exception cref="Nats.Core.Config.ConfigurationException">The plugins directory does not exist.</exception>
    public static PluginLoader Load(NatsServer server, string? pluginsDirectory, ILogger logger, string? stockDirectory = null)
    {
        var loader = Prepare(server, pluginsDirectory, logger, stockDirectory);
        try
        {
            loader.LoadInto(server);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
        return loader;
    }

    /// <summary>
    /// The first half of <see cref="Load"/>: binds the section and reads the manifests (no
    /// assembly loads yet), so that keys nobody owns can be refused before anything runs.
    /// </summary>
    public static PluginLoader Prepare(NatsServer server, string? pluginsDirectory, ILogger logger, string? stockDirectory = null)
    {
        var settings = server.Config.Bind(PluginSettings.SectionName, PluginSettings.Parse).Current.WithDirectory(pluginsDirectory);
        var loader = new PluginLoader(settings, stockDirectory ?? PluginDiscovery.StockDirectory, logger);
        try
        {
            loader.ReadManifests();
        }
        catch
        {
            loader.Dispose();
            throw;
        }
        return loader;
    }

    /// <summary>
    /// Judges the config keys the kernel's binder left alone against the owners table of
    /// <paramref name="loader"/> and the plugins <paramref name="server"/> actually runs.
    /// </summary>
    public static ConfigClaimsReview Review(NatsServer server, PluginLoader loader, IEnumerable<ConfEntry> unclaimed, ConfMap? config)
    {
        var running = server.Plugins;
        return loader.Claims.Review(unclaimed, config, name => running.Contains(name, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Whether the plugin that owns <paramref name="section"/> runs in <paramref name="server"/>.</summary>
    public static bool IsApplied(NatsServer server, PluginLoader loader, string section) =>
        loader.Claims.OwnerOf(section) is { } owner && server.Plugins.Contains(owner, StringComparer.OrdinalIgnoreCase);
}
