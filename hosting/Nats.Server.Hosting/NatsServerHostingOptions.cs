using Microsoft.Extensions.Configuration;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Plugins;

namespace Nats.Server.Hosting;

/// <summary>
/// How <c>AddNatsServer</c> builds its server. The options come from one source, in nats-server's
/// own keys: a <see cref="ConfigFile"/> (<c>.conf</c>), or a <see cref="Configuration"/> section
/// (<c>appsettings.json</c>, environment variables…), or neither (nats-server's defaults); then
/// <see cref="ConfigureServer"/> changes them in code. Plugins come from folders, as the stock
/// executable loads them, and by type.
/// </summary>
public sealed class NatsServerHostingOptions
{
    private readonly List<Action<ServerOptions>> _configure = [];
    private readonly List<(Func<IServiceProvider, IServerPlugin> Create, string? Name)> _plugins = [];

    /// <summary>A nats-server configuration file; its keys and semantics are the stock server's.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>
    /// A configuration section whose keys are nats-server's (<c>port</c>, <c>http_port</c>,
    /// <c>max_payload</c>, <c>accounts</c>, a plugin's <c>jetstream</c>…). Ignored when
    /// <see cref="ConfigFile"/> is set.
    /// </summary>
    public IConfiguration? Configuration { get; set; }

    /// <summary>
    /// A directory of plugin folders, as <c>--plugins_dir</c> gives the stock server (a folder
    /// there replaces one of the same name in <c>plugins/</c> next to the application).
    /// </summary>
    public string? PluginsDirectory { get; set; }

    /// <summary>
    /// How long stopping the host lets lame duck mode run (clients told to move, then closed)
    /// before the server shuts down; the host's own shutdown timeout bounds it too. Zero skips
    /// lame duck mode.
    /// </summary>
    public TimeSpan LameDuckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Changes the options in code, after the file or section is read (called in order).</summary>
    public NatsServerHostingOptions ConfigureServer(Action<ServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add(configure);
        return this;
    }

    /// <summary>Adds a plugin by type (created with the application's services, so its constructor may take them).</summary>
    public NatsServerHostingOptions AddPlugin<TPlugin>(string? name = null) where TPlugin : class, IServerPlugin
    {
        _plugins.Add((services => Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<TPlugin>(services), name));
        return this;
    }

    /// <summary>Adds a plugin instance.</summary>
    public NatsServerHostingOptions AddPlugin(IServerPlugin plugin, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        _plugins.Add((_ => plugin, name));
        return this;
    }

    internal IReadOnlyList<Action<ServerOptions>> Configurations => _configure;

    internal IReadOnlyList<(Func<IServiceProvider, IServerPlugin> Create, string? Name)> Plugins => _plugins;
}
