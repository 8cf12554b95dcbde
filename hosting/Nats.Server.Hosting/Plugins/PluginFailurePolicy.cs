using Microsoft.Extensions.Logging;
using Nats.Core.Plugins;
using Nats.Server.Hosting.Logging;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// Decides what a plugin's failure does: it stops the server (a <see cref="PluginException"/>
/// naming the plugin and the reason) unless the plugin is listed in <c>optional</c>, in which
/// case it is logged as an error and skipped. A folder that fails to load although <c>load</c>
/// does not name it is only a warning: nobody asked for it (and if it held a plugin that
/// <c>load</c> does name, that plugin's "not found" error carries this reason).
/// </summary>
internal sealed class PluginFailurePolicy(PluginSettings settings, ILogger logger)
{
    private readonly List<string> _unselectedFailures = [];

    /// <summary>Why folders that <c>load</c> does not name failed, for a later "not found" error.</summary>
    public IReadOnlyList<string> UnselectedFailures => _unselectedFailures;

    /// <summary>A folder could not be loaded or composed.</summary>
    public void FolderFailed(PluginFolder folder, string reason)
    {
        if (settings.IsOptional(folder.Name))
        {
            Skip(folder.Name, reason);
            return;
        }
        if (!settings.IsSelected(folder.Name))
        {
            _unselectedFailures.Add($"folder {folder.Name} failed: {reason}");
            HostingLog.PluginFolderIgnored(logger, folder.Path, reason);
            return;
        }
        throw new PluginException(folder.Name, reason);
    }

    /// <summary>A named plugin could not be found, created or configured.</summary>
    public void PluginFailed(string name, string? folderName, string reason, Exception? inner = null)
    {
        if (settings.IsOptional(name, folderName))
        {
            Skip(name, reason);
            return;
        }
        throw new PluginException(name, reason, inner);
    }

    private void Skip(string name, string reason) =>
        HostingLog.OptionalPluginSkipped(logger, name, reason);
}
