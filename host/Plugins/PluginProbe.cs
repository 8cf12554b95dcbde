using Microsoft.Extensions.Logging.Abstractions;
using Nats.Core;
using Nats.Core.Config;
using Nats.Host.Cli;

namespace Nats.Host.Plugins;

/// <summary>
/// For <c>-t</c>: loads and configures the plugins against a server that is never started, so
/// that a config check knows which sections plugins read (not "unknown field") and a plugin's
/// own checks of its section (a missing users file, a bad value) fail the check as they would
/// fail the start. The kernel's TLS sets (<c>tls</c>, <c>cluster.tls</c>), which a start loads
/// before listening, are loaded too (<see cref="NatsServer.CheckStartSettings"/>).
/// </summary>
internal static class PluginProbe
{
    /// <summary>Loads the plugins for <paramref name="options"/> and returns the judge of the keys the kernel left alone.</summary>
    /// <exception cref="Nats.Core.Plugins.PluginException">A plugin that is not optional failed.</exception>
    /// <exception cref="ConfigException">The <c>plugins {}</c> section is invalid.</exception>
    /// <exception cref="ConfigurationException">The plugins directory does not exist, or two plugins claim one section.</exception>
    public static Func<IEnumerable<ConfEntry>, ConfMap?, ConfigClaimsReview> ClaimsReviewer(ServerOptions options, ServerCommandLine commandLine)
    {
        // Never started, so it opens nothing; it lives until -t exits.
        var server = new NatsServer(options);
        using var plugins = HostPluginSource.Prepare(server, commandLine.PluginsDir, NullLogger.Instance);
        plugins.LoadInto(server);
        return (unclaimed, config) =>
        {
            var review = plugins.Review(server, unclaimed, config);
            if (review.Errors.Count == 0)
            {
                // The kernel loads its own TLS sets only at start; a certificate that cannot be
                // loaded fails the check as it fails the start (plugins load theirs in Configure).
                server.CheckStartSettings();
            }
            return review;
        };
    }
}
