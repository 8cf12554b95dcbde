using System.Reflection;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Server.Hosting.Logging;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// The host's plugin loading, start to end: find the plugin folders, load each into its own
/// context, compose them all, keep the ones <c>load</c> selects, and add them to the server in
/// their <see cref="ServerPluginAttribute.Order"/> through <see cref="NatsServer.AddPlugin"/>,
/// the same call an embedded server makes, which configures each at once.
/// </summary>
internal sealed class PluginLoader : IDisposable
{
    private readonly PluginSettings _settings;
    private readonly string _stockDirectory;
    private readonly ILogger _logger;
    private readonly PluginFailurePolicy _failures;
    private PluginComposition? _composition;
    private List<(PluginFolder Folder, PluginManifest Manifest)>? _selected;

    public PluginLoader(PluginSettings settings, string stockDirectory, ILogger logger)
    {
        _settings = settings;
        _stockDirectory = stockDirectory;
        _logger = logger;
        _failures = new PluginFailurePolicy(settings, logger);
    }

    /// <summary>
    /// Loads the plugins into <paramref name="server"/> (not started yet); <see cref="NatsServer.Plugins"/>
    /// then names those added, in order.
    /// </summary>
    /// <exception cref="PluginException">A plugin that is not optional failed; the message names it.</exception>
    /// <exception cref="Nats.Core.Config.ConfigurationException">The configured plugins directory does not exist.</exception>
    public void LoadInto(NatsServer server)
    {
        var selected = _selected ?? ReadManifests();
        CheckNeeds(selected);
        var loaded = LoadFolders(selected);
        DropUnmetNeeds(loaded);
        _composition = PluginComposition.Compose(loaded, (folder, reason) => _failures.FolderFailed(folder.Folder, reason));
        var byAssembly = loaded.ToDictionary(f => f.Assembly);
        foreach (var export in Select(_composition.Exports, loaded))
        {
            var name = export.Metadata.Name;
            var declaredIn = FolderOf(name, loaded);
            IServerPlugin plugin;
            LoadedFolder? folder;
            try
            {
                plugin = export.Create();
                folder = byAssembly.GetValueOrDefault(plugin.GetType().Assembly) ?? declaredIn;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _failures.PluginFailed(name, declaredIn?.Folder.Name, "cannot be created: " + Unwrap(e).Message, e);
                continue;
            }
            try
            {
                server.AddPlugin(plugin, name);
            }
            catch (PluginException e)
            {
                _failures.PluginFailed(name, folder?.Folder.Name, e.Reason, e.InnerException);
                continue;
            }
            HostingLog.PluginLoaded(_logger, name, folder?.Version ?? "?", folder?.Folder.Path ?? plugin.GetType().Assembly.Location);
        }
    }

    /// <summary>
    /// Who owns each config key: the kernel, nats-server's plugin keys, and what the manifests of
    /// the selected plugins declare. Complete once <see cref="LoadInto"/> has run.
    /// </summary>
    public ConfigClaims Claims { get; } = ConfigClaims.CreateDefault([.. NatsServer.KernelSections, PluginSettings.SectionName]);

    public void Dispose() => _composition?.Dispose();

    /// <summary>
    /// Reads every folder's manifest before any assembly loads and fills <see cref="Claims"/>
    /// (<see cref="LoadInto"/> does it when not done yet). Keeps the folders <c>load</c> selects
    /// (by plugin or folder name). A folder without a usable manifest fails.
    /// </summary>
    /// <exception cref="PluginException">A manifest that is not optional failed.</exception>
    /// <exception cref="Nats.Core.Config.ConfigurationException">The plugins directory does not exist, or two plugins claim one section.</exception>
    public List<(PluginFolder Folder, PluginManifest Manifest)> ReadManifests()
    {
        if (_selected is not null)
        {
            return _selected;
        }
        var folders = PluginDiscovery.Find(_stockDirectory, _settings.Directory);
        var selected = new List<(PluginFolder, PluginManifest)>();
        foreach (var folder in folders)
        {
            PluginManifest manifest;
            try
            {
                manifest = PluginManifest.Read(folder);
            }
            catch (PluginLoadFailure e)
            {
                _failures.FolderFailed(folder, e.Message);
                continue;
            }
            if (_settings.IsSelected(manifest.Name, folder.Name))
            {
                selected.Add((folder, manifest));
            }
        }
        DeclareClaims(selected);
        _selected = selected;
        return selected;
    }

    /// <exception cref="Nats.Core.Config.ConfigurationException">Two plugins, or a plugin and the kernel, claim one section.</exception>
    private void DeclareClaims(List<(PluginFolder Folder, PluginManifest Manifest)> selected)
    {
        foreach (var (_, manifest) in selected)
        {
            Claims.Declare(manifest.Name, manifest.Sections, manifest.SecureSections);
        }
    }

    // "plugin mqtt needs jetstream, which is not loaded": a needed plugin must be selected too.
    private void CheckNeeds(List<(PluginFolder Folder, PluginManifest Manifest)> selected)
    {
        var names = new HashSet<string>(selected.Select(s => s.Manifest.Name), StringComparer.OrdinalIgnoreCase);
        foreach (var (folder, manifest) in selected.ToList())
        {
            foreach (var need in manifest.Needs.Where(n => !names.Contains(n)))
            {
                selected.RemoveAll(s => s.Manifest == manifest);
                _failures.PluginFailed(manifest.Name, folder.Name, $"needs {need}, which is not loaded");
            }
        }
    }

    // After loading: a needed plugin whose folder exports nothing (or failed, optional) is not loaded either.
    private void DropUnmetNeeds(List<LoadedFolder> loaded)
    {
        bool dropped;
        do
        {
            dropped = false;
            foreach (var folder in loaded.ToList())
            {
                var unmet = folder.Manifest.Needs.FirstOrDefault(need => !loaded.Exists(f => string.Equals(f.Manifest.Name, need, StringComparison.OrdinalIgnoreCase)));
                if (unmet is not null)
                {
                    loaded.Remove(folder);
                    dropped = true;
                    _failures.PluginFailed(folder.Manifest.Name, folder.Folder.Name, $"needs {unmet}, which is not loaded");
                }
            }
        }
        while (dropped);
    }

    private List<LoadedFolder> LoadFolders(List<(PluginFolder Folder, PluginManifest Manifest)> selected)
    {
        var loaded = new List<LoadedFolder>();
        foreach (var (folder, manifest) in selected)
        {
            WarnAboutPrivateContractCopies(folder);
            LoadedFolder candidate;
            try
            {
                candidate = LoadedFolder.Load(folder, manifest);
            }
            catch (PluginLoadFailure e)
            {
                _failures.FolderFailed(folder, e.Message);
                continue;
            }
            if (candidate.PluginNames.Count == 0)
            {
                // A library shipped ahead of its plugin class: its sections stay unapplied (and secure ones refuse to start).
                // Debug: a stock build ships such folders; what matters (an unapplied section) is reported by ConfigClaims.
                HostingLog.PluginFolderExportsNothing(_logger, folder.Path, manifest.Name);
                continue;
            }
            if (!candidate.PluginNames.Contains(manifest.Name))
            {
                _failures.FolderFailed(folder, $"{PluginManifest.FileName} names plugin {manifest.Name}, but {folder.Name}.dll exports {string.Join(", ", candidate.PluginNames.Order(StringComparer.Ordinal))}");
                continue;
            }
            loaded.Add(candidate);
        }
        return loaded;
    }

    /// <summary>The exports <c>load</c> selects, each name once, in configure order (<c>Order</c>, then name).</summary>
    private List<PluginExport> Select(IReadOnlyList<PluginExport> exports, IReadOnlyList<LoadedFolder> folders)
    {
        var byName = new Dictionary<string, PluginExport>(StringComparer.OrdinalIgnoreCase);
        var duplicates = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var export in exports)
        {
            if (string.IsNullOrWhiteSpace(export.Metadata.Name))
            {
                // Without a name it can be neither selected nor reported; [ServerPlugin] gives one.
                _failures.PluginFailed("<unnamed>", null, "an IServerPlugin is exported without a name: export it with [ServerPlugin(\"name\")]");
                continue;
            }
            if (!folders.Any(f => string.Equals(f.Manifest.Name, export.Metadata.Name, StringComparison.OrdinalIgnoreCase)))
            {
                continue; // only the plugin a folder's manifest describes runs
            }
            if (!byName.TryAdd(export.Metadata.Name, export))
            {
                duplicates.Add(export.Metadata.Name);
            }
        }
        foreach (var name in duplicates)
        {
            byName.Remove(name);
            var where = string.Join(", ", folders.Where(f => f.PluginNames.Contains(name)).Select(f => f.Folder.Path));
            _failures.PluginFailed(name, null, $"more than one plugin has this name ({where})");
        }
        foreach (var wanted in _settings.Load ?? [])
        {
            var found = byName.ContainsKey(wanted)
                || folders.Any(f => string.Equals(f.Folder.Name, wanted, StringComparison.OrdinalIgnoreCase) && f.PluginNames.Any(byName.ContainsKey));
            if (!found && !duplicates.Contains(wanted))
            {
                var why = _failures.UnselectedFailures.Count == 0 ? "" : " (" + string.Join("; ", _failures.UnselectedFailures) + ")";
                _failures.PluginFailed(wanted, null, $"not found in {Directories()}{why}");
            }
        }
        return [.. byName.Values
            .Where(e => _settings.IsSelected(e.Metadata.Name, FolderOf(e.Metadata.Name, folders)?.Folder.Name))
            .OrderBy(e => e.Metadata.Order)
            .ThenBy(e => e.Metadata.Name, StringComparer.Ordinal)];
    }

    private static LoadedFolder? FolderOf(string pluginName, IReadOnlyList<LoadedFolder> folders) =>
        folders.FirstOrDefault(f => f.PluginNames.Contains(pluginName));

    private string Directories() => _settings.Directory is null ? _stockDirectory : $"{_stockDirectory} or {Path.GetFullPath(_settings.Directory)}";

    // A plugin built without Private=false on its Nats.Core reference carries a copy that is never used.
    private void WarnAboutPrivateContractCopies(PluginFolder folder)
    {
        foreach (var name in SharedAssemblies.Contract)
        {
            if (File.Exists(Path.Combine(folder.Path, name + ".dll")))
            {
                HostingLog.PluginCarriesHostAssembly(_logger, folder.Name, name);
            }
        }
    }

    private static Exception Unwrap(Exception e) => e is TargetInvocationException { InnerException: { } inner } ? inner : e;
}
