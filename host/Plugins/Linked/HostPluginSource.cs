using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Server.Hosting.Plugins;
using Nats.Server.Hosting.Logging;

namespace Nats.Host.Plugins;

/// <summary>
/// The native build's plugins: those linked in at build time (<see cref="LinkedPluginTable"/>).
/// <c>plugins { load, optional }</c> select among them as among folders; a plugins directory
/// (<c>plugins { dir }</c>, <c>--plugins_dir</c>) is refused, since a native executable cannot
/// load one. The stock build compiles Plugins/Folders/ in place of this folder.
/// </summary>
internal static class HostPluginSource
{
    /// <summary>Binds <c>plugins {}</c> and reads the linked-in manifests; no plugin is created yet.</summary>
    /// <exception cref="PluginException">A manifest that is not optional failed.</exception>
    /// <exception cref="ConfigException">The <c>plugins {}</c> section is invalid.</exception>
    /// <exception cref="ConfigurationException">A plugins directory is configured, or two plugins claim one section.</exception>
    public static IHostPlugins Prepare(NatsServer server, string? pluginsDirectory, ILogger logger)
    {
        var settings = server.Config.Bind(PluginSettings.SectionName, PluginSettings.Parse).Current.WithDirectory(pluginsDirectory);
        if (settings.Directory is { } directory)
        {
            throw new ConfigurationException(
                $"plugins directory \"{directory}\": this is a native build, which cannot load plugin folders; its plugins are linked in at build time ({string.Join(", ", LinkedPluginTable.All.Select(p => p.Folder))})");
        }
        return new LinkedPlugins(settings, logger);
    }

    private sealed class LinkedPlugins : IHostPlugins
    {
        private readonly PluginSettings _settings;
        private readonly ILogger _logger;
        private readonly PluginFailurePolicy _failures;
        private readonly List<(LinkedPluginTable.Entry Entry, PluginManifest Manifest)> _selected = [];

        public LinkedPlugins(PluginSettings settings, ILogger logger)
        {
            _settings = settings;
            _logger = logger;
            _failures = new PluginFailurePolicy(settings, logger);
            foreach (var entry in LinkedPluginTable.All)
            {
                var manifest = ReadManifest(entry.Folder);
                if (_settings.IsSelected(manifest.Name, entry.Folder))
                {
                    _selected.Add((entry, manifest));
                    Claims.Declare(manifest.Name, manifest.Sections, manifest.SecureSections);
                }
            }
        }

        public ConfigClaims Claims { get; } = ConfigClaims.CreateDefault([.. NatsServer.KernelSections, PluginSettings.SectionName]);

        public void LoadInto(NatsServer server)
        {
            foreach (var wanted in _settings.Load ?? [])
            {
                if (!_selected.Exists(s => Is(s.Manifest.Name, wanted) || Is(s.Entry.Folder, wanted)))
                {
                    _failures.PluginFailed(wanted, null, "not linked into this native build (build/publish.sh --aot --plugins ...)");
                }
            }
            var names = _selected.Select(s => s.Manifest.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var (entry, manifest) in _selected)
            {
                if (manifest.Needs.FirstOrDefault(need => !names.Contains(need)) is { } unmet)
                {
                    names.Remove(manifest.Name);
                    _failures.PluginFailed(manifest.Name, entry.Folder, $"needs {unmet}, which is not loaded");
                    continue;
                }
                try
                {
                    server.AddPlugin(entry.Create(), manifest.Name);
                }
                catch (PluginException e)
                {
                    names.Remove(manifest.Name);
                    _failures.PluginFailed(manifest.Name, entry.Folder, e.Reason, e.InnerException);
                    continue;
                }
                HostingLog.PluginLinkedIn(_logger, manifest.Name, manifest.Version);
            }
        }

        public ConfigClaimsReview Review(NatsServer server, IEnumerable<ConfEntry> unclaimed, ConfMap? config)
        {
            var running = server.Plugins;
            return Claims.Review(unclaimed, config, name => running.Contains(name, StringComparer.OrdinalIgnoreCase));
        }

        public bool IsApplied(NatsServer server, string section) =>
            Claims.OwnerOf(section) is { } owner && server.Plugins.Contains(owner, StringComparer.OrdinalIgnoreCase);

        public void Dispose()
        {
        }

        private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        private static PluginManifest ReadManifest(string folder)
        {
            var resource = $"plugins/{folder}/{PluginManifest.FileName}";
            using var stream = typeof(LinkedPluginTable).Assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"the manifest of linked-in plugin {folder} was not compiled in ({resource})");
            using var reader = new StreamReader(stream);
            return PluginManifest.Parse(reader.ReadToEnd(), resource);
        }
    }
}
