using System.Reflection;
using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Core.Logging;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>How long one plugin gets to stop before shutdown goes on without it.</summary>
    private static readonly TimeSpan PluginStopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Adds a plugin to this server: <see cref="IServerPlugin.Configure"/> runs now, then the
    /// plugin starts with the server (after the kernel listens, in the order plugins were
    /// added) and stops with it (in reverse order). Call before <see cref="StartAsync"/>.
    /// This is how an embedded server gets its plugins; the stock host adds the plugins it
    /// discovers the same way, sorted by their <see cref="ServerPluginAttribute.Order"/>.
    /// </summary>
    /// <param name="plugin">The plugin instance.</param>
    /// <param name="name">
    /// Its name for logs and errors; by default the <see cref="ServerPluginAttribute.Name"/> on its
    /// class, else the class name.
    /// </param>
    /// <exception cref="PluginException">
    /// Configure threw (the message names the plugin and gives the reason), or a plugin of that
    /// name was already added. Whatever the plugin registered before throwing is withdrawn, so
    /// the server can go on without it.
    /// </exception>
    /// <exception cref="InvalidOperationException">The server has already started.</exception>
    public void AddPlugin(IServerPlugin plugin, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        EnsureNotStarted();
        name ??= plugin.GetType().GetCustomAttribute<ServerPluginAttribute>()?.Name ?? plugin.GetType().Name;
        lock (_plugins)
        {
            if (_plugins.Exists(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new PluginException(name, "a plugin of this name was already added");
            }
        }
        var context = new PluginContext(this);
        try
        {
            plugin.Configure(context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            context.Rollback(_bus);
            throw new PluginException(name, Reason(ex), ex);
        }
        context.Commit();
        lock (_plugins)
        {
            _plugins.Add(new AddedPlugin(name, plugin));
        }
        ServerLog.PluginConfigured(Logger, name);
    }

    /// <summary>The names of the plugins added, in the order they start.</summary>
    public IReadOnlyList<string> Plugins
    {
        get
        {
            lock (_plugins)
            {
                return [.. _plugins.Select(p => p.Name)];
            }
        }
    }

    /// <summary>
    /// The top-level config sections bound on <see cref="Config"/> so far (by the kernel's
    /// components, plugins and the host): the keys of a config file that someone reads, so
    /// that the others can be reported as unknown.
    /// </summary>
    public IReadOnlyList<string> BoundConfigSections => _bus.BoundNames;

    /// <summary>
    /// Checks every connected client again against the authenticators in force, as a reload
    /// of the kernel's users does: a plugin whose users changed (a re-read password file)
    /// calls this from its reload hook so that clients no longer allowed are disconnected and
    /// the others get their new permissions.
    /// </summary>
    public void ReauthorizeClients()
    {
        foreach (var client in _clients.Values)
        {
            client.Reauthorize();
        }
    }

    private async Task StartPluginsAsync(bool beforeClients, CancellationToken cancellationToken)
    {
        AddedPlugin[] plugins;
        lock (_plugins)
        {
            plugins = [.. _plugins.Where(p => p.Plugin is IStartsBeforeClients == beforeClients)];
        }
        foreach (var plugin in plugins)
        {
            try
            {
                await plugin.Plugin.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new PluginException(plugin.Name, "failed to start: " + Reason(ex), ex);
            }
            lock (_startedPlugins)
            {
                _startedPlugins.Add(plugin);
            }
        }
    }

    /// <summary>Stops the started plugins in reverse order; one that fails or hangs is logged and left behind.</summary>
    private async Task StopPluginsAsync()
    {
        AddedPlugin[] started;
        lock (_startedPlugins)
        {
            started = [.. _startedPlugins];
            _startedPlugins.Clear();
        }
        for (var i = started.Length - 1; i >= 0; i--)
        {
            var plugin = started[i];
            using var timeout = new CancellationTokenSource(PluginStopTimeout);
            try
            {
                // The token asks the plugin to hurry; the wait bounds a plugin that ignores it.
                await plugin.Plugin.StopAsync(timeout.Token).WaitAsync(PluginStopTimeout * 2).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                ServerLog.PluginStopFailed(Logger, plugin.Name, Reason(ex));
            }
        }
    }

    private static string Reason(Exception ex) => ex switch
    {
        TargetInvocationException { InnerException: { } inner } => Reason(inner),
        ConfigException or ConfigurationException or PluginException => ex.Message,
        _ => ex.Message.Length == 0 ? ex.GetType().Name : ex.Message,
    };

    private sealed record AddedPlugin(string Name, IServerPlugin Plugin);
}
