using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Host.Cli;

namespace Nats.Host.Plugins;

/// <summary>What the host does with plugins around a server it created but has not started.</summary>
internal static class PluginHosting
{
    /// <summary>
    /// Binds the <c>plugins {}</c> section (it cannot change while running: plugins are loaded
    /// once), applies <c>--plugins_dir</c> over it, and loads the plugins into <paramref name="server"/>.
    /// The returned loader holds the composition and lives as long as the server.
    /// </summary>
    /// <exception cref="Nats.Core.Plugins.PluginException">A plugin that is not optional failed.</exception>
    /// <exception cref="Nats.Core.Config.ConfigException">The <c>plugins {}</c> section is invalid.</exception>
    /// <exception cref="Nats.Core.Config.ConfigurationException">The plugins directory does not exist.</exception>
    public static PluginLoader Load(NatsServer server, ServerCommandLine commandLine, ILogger logger, string? stockDirectory = null)
    {
        var settings = server.Config.Bind(PluginSettings.SectionName, PluginSettings.Parse).Current.WithDirectory(commandLine.PluginsDir);
        var loader = new PluginLoader(settings, stockDirectory ?? PluginDiscovery.StockDirectory, logger);
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

    /// <summary>Whether a top-level config key is read by someone: the kernel's components, a plugin, or the host.</summary>
    public static bool IsClaimed(NatsServer server, string section) =>
        NatsServer.KernelSections.Contains(section, StringComparer.OrdinalIgnoreCase) ||
        server.BoundConfigSections.Contains(section, StringComparer.OrdinalIgnoreCase);
}
