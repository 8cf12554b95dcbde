using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Plugins;
using Nats.Server.Hosting.Plugins;
using Nats.Server.Hosting.Logging;

namespace Nats.Server.Hosting;

/// <summary>
/// Builds the server <c>AddNatsServer</c> runs, in the stock executable's order: options from
/// the file or section with the code's changes over them, then the plugins (by type, then from
/// folders), then the judgement of config keys nobody owns (nats-server's <c>unknown field</c>).
/// </summary>
internal static class HostedServerBuilder
{
    /// <summary>The server (not started) and the plugin loader that lives as long as it.</summary>
    public sealed record Built(NatsServer Server, PluginLoader Plugins);

    /// <exception cref="ConfigException">The file or section does not parse or bind.</exception>
    /// <exception cref="ConfigurationException">Invalid options, or config keys nobody owns.</exception>
    /// <exception cref="PluginException">A plugin that is not optional failed.</exception>
    public static Built Build(NatsServerHostingOptions hosting, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Nats.Server.Hosting");
        var bound = Bind(hosting);
        var options = bound?.Options ?? new ServerOptions();
        foreach (var warning in bound is null ? [] : bound.Warnings.Concat(bound.Ignored))
        {
            HostingLog.ConfigWarning(logger, warning.Message);
        }
        foreach (var configure in hosting.Configurations)
        {
            configure(options);
        }
        ServerOptionsDefaults.ApplyBaseline(options);
        ServerOptionsValidator.Validate(options);

        var server = new NatsServer(options, loggerFactory);
        var loader = PluginHosting.Prepare(server, hosting.PluginsDirectory, logger);
        try
        {
            foreach (var (create, name) in hosting.Plugins)
            {
                AddByType(server, loader, create(services), name);
            }
            IReadOnlyList<ConfEntry> unclaimed = bound?.Unclaimed ?? [];
            var unknown = loader.Claims.Review(unclaimed, bound?.Config, _ => true).Errors;
            if (unknown.Count > 0)
            {
                throw new ConfigurationException(string.Join('\n', unknown.Select(e => e.Message)));
            }
            loader.LoadInto(server);
            var review = PluginHosting.Review(server, loader, unclaimed, bound?.Config);
            if (review.Errors.Count > 0)
            {
                throw new ConfigurationException(string.Join('\n', review.Errors.Select(e => e.Message)));
            }
            foreach (var warning in review.Warnings)
            {
                HostingLog.ConfigWarning(logger, warning.Message);
            }
            return new Built(server, loader);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
    }

    private static ConfigBindResult? Bind(NatsServerHostingOptions hosting)
    {
        if (hosting.ConfigFile is { } file)
        {
            return ServerOptionsBinder.BindFile(file);
        }
        if (hosting.Configuration is { } section)
        {
            return ServerOptionsBinder.Bind(ConfParser.ParseString(ConfigurationConfText.Write(section), "configuration section"));
        }
        return null;
    }

    /// <summary>
    /// Adds a plugin given in code; the sections it binds are declared as its own, as a
    /// manifest declares them for a folder plugin, so they are not unknown keys.
    /// </summary>
    private static void AddByType(NatsServer server, PluginLoader loader, IServerPlugin plugin, string? name)
    {
        var before = server.BoundConfigSections.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var countBefore = server.Plugins.Count;
        server.AddPlugin(plugin, name);
        var added = server.Plugins[countBefore];
        loader.Claims.Declare(added, server.BoundConfigSections.Where(s => !before.Contains(s)), []);
    }
}
