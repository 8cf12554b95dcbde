using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;
using Nats.Server.Hosting.Plugins;

namespace Nats.Host.Plugins;

/// <summary>
/// The stock (JIT) build's plugins: the folders in <c>plugins/</c> beside the executable and in
/// <c>plugins { dir }</c> / <c>--plugins_dir</c>, each loaded into its own context. The native
/// build compiles Plugins/Linked/ in place of this folder.
/// </summary>
internal static class HostPluginSource
{
    /// <summary>Binds <c>plugins {}</c> and reads the manifests; nothing is loaded yet.</summary>
    /// <exception cref="Nats.Core.Plugins.PluginException">A manifest that is not optional failed.</exception>
    /// <exception cref="ConfigException">The <c>plugins {}</c> section is invalid.</exception>
    /// <exception cref="ConfigurationException">The plugins directory does not exist, or two plugins claim one section.</exception>
    public static IHostPlugins Prepare(NatsServer server, string? pluginsDirectory, ILogger logger) =>
        new FolderPlugins(PluginHosting.Prepare(server, pluginsDirectory, logger));

    private sealed class FolderPlugins(PluginLoader loader) : IHostPlugins
    {
        public ConfigClaims Claims => loader.Claims;

        public void LoadInto(NatsServer server) => loader.LoadInto(server);

        public ConfigClaimsReview Review(NatsServer server, IEnumerable<ConfEntry> unclaimed, ConfMap? config) =>
            PluginHosting.Review(server, loader, unclaimed, config);

        public bool IsApplied(NatsServer server, string section) => PluginHosting.IsApplied(server, loader, section);

        public void Dispose() => loader.Dispose();
    }
}
