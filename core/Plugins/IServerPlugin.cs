using System.Composition;

namespace Nats.Core.Plugins;

/// <summary>
/// A plugin: a transport, link kind, auth scheme or service that extends the kernel.
/// Export an implementation with <see cref="ServerPluginAttribute"/>; the host discovers it
/// in its plugin folder and composes it with System.Composition.
/// </summary>
/// <remarks>
/// Lifecycle: <see cref="Configure"/> runs before the server starts (bind config sections,
/// register authenticators, endpoints, interest observers); <see cref="StartAsync"/> after
/// the kernel listens (open listeners, dial links); <see cref="StopAsync"/> at shutdown.
/// A plugin talks to other plugins through subjects on an in-process connection
/// (<see cref="IServerContext.Connect"/>), never by referencing their assemblies.
/// </remarks>
public interface IServerPlugin
{
    /// <summary>Registers what the plugin brings. Throwing stops the server with the plugin's name and the reason.</summary>
    void Configure(IServerContext context);

    /// <summary>Starts the plugin's own work once the kernel is running.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops the plugin (the server is shutting down).</summary>
    Task StopAsync(CancellationToken cancellationToken);
}

/// <summary>Exports an <see cref="IServerPlugin"/> with its name and load order.</summary>
/// <example><code>[ServerPlugin("htpasswd", Order = 100)] public sealed class HtpasswdPlugin : IServerPlugin { … }</code></example>
[MetadataAttribute]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ServerPluginAttribute : ExportAttribute
{
    /// <summary>Exports the class as a plugin called <paramref name="name"/>.</summary>
    public ServerPluginAttribute(string name)
        : base(typeof(IServerPlugin))
    {
        Name = name;
    }

    /// <summary>The plugin's name, as used by <c>plugins { load: [...] }</c> and in logs.</summary>
    public string Name { get; }

    /// <summary>Plugins configure and start in ascending order (default 0), stop in reverse.</summary>
    public int Order { get; set; }
}

/// <summary>The metadata view of <see cref="ServerPluginAttribute"/> (what the host reads before creating a plugin).</summary>
public sealed class ServerPluginMetadata
{
    /// <summary>The plugin's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The load order.</summary>
    public int Order { get; set; }
}
