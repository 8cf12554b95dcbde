using Nats.Core;
using Nats.Core.Config;

namespace Nats.Host.Plugins;

/// <summary>
/// The plugins of this executable, whichever way they come: from plugin folders beside it (the
/// stock JIT build, <see cref="HostPluginSource"/> in Plugins/Folders) or linked in at build time
/// (the native build, <c>build/publish.sh --aot</c>, Plugins/Linked). The host drives both alike.
/// </summary>
internal interface IHostPlugins : IDisposable
{
    /// <summary>Who owns each config key: the kernel and the selected plugins' manifests.</summary>
    ConfigClaims Claims { get; }

    /// <summary>Creates the selected plugins and adds them to <paramref name="server"/> (not started yet), in their order.</summary>
    /// <exception cref="Nats.Core.Plugins.PluginException">A plugin that is not optional failed.</exception>
    void LoadInto(NatsServer server);

    /// <summary>Judges the keys the kernel's binder left alone against the plugins <paramref name="server"/> runs.</summary>
    ConfigClaimsReview Review(NatsServer server, IEnumerable<ConfEntry> unclaimed, ConfMap? config);

    /// <summary>Whether the plugin that owns <paramref name="section"/> runs in <paramref name="server"/>.</summary>
    bool IsApplied(NatsServer server, string section);
}
