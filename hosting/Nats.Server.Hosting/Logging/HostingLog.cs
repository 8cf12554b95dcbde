using Microsoft.Extensions.Logging;

namespace Nats.Server.Hosting.Logging;

/// <summary>
/// The hosts' log lines (this library's hosted service and plugin loader, and the stock host,
/// which sees these internals): event ids 30–49, next to the kernel's <c>ServerLog</c> (1–29).
/// Texts as they were, nats-server's where it has the line (<c>Trapped "hangup" signal</c>).
/// </summary>
internal static partial class HostingLog
{
    /// <summary>A config or command-line warning (deprecated or ignored options), already worded.</summary>
    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "JetStream was requested on the command line, but no JetStream plugin is loaded: clients will get no JetStream API")]
    public static partial void JetStreamFlagsWithoutPlugin(ILogger logger);

    [LoggerMessage(EventId = 32, Level = LogLevel.Error, Message = "Failed to reload server configuration: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "Trapped \"{Signal}\" signal")]
    public static partial void SignalTrapped(ILogger logger, string signal);

    [LoggerMessage(EventId = 34, Level = LogLevel.Error, Message = "Error writing ports file ({Directory}): {Message}")]
    public static partial void PortsFileError(ILogger logger, string directory, string message);

    [LoggerMessage(EventId = 35, Level = LogLevel.Information, Message = "Lame duck mode cut short by the host's shutdown")]
    public static partial void LameDuckCutShort(ILogger logger);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Loaded plugin {Name} {Version} from {Path}")]
    public static partial void PluginLoaded(ILogger logger, string name, string version, string path);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Loaded plugin {Name} {Version} (linked in)")]
    public static partial void PluginLinkedIn(ILogger logger, string name, string version);

    /// <summary>Debug: a stock build ships such folders; an unapplied section is reported by the config review.</summary>
    [LoggerMessage(EventId = 42, Level = LogLevel.Debug, Message = "Plugin folder {Folder} exports no plugin yet; {Name} is not loaded")]
    public static partial void PluginFolderExportsNothing(ILogger logger, string folder, string name);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Plugin folder {Folder} carries its own {Assembly}.dll; the host's is used (reference it with Private=false and ExcludeAssets=runtime)")]
    public static partial void PluginCarriesHostAssembly(ILogger logger, string folder, string assembly);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "Plugin folder {Folder} ignored: {Reason}")]
    public static partial void PluginFolderIgnored(ILogger logger, string folder, string reason);

    [LoggerMessage(EventId = 45, Level = LogLevel.Error, Message = "plugin \"{Name}\": {Reason} (optional: skipped)")]
    public static partial void OptionalPluginSkipped(ILogger logger, string name, string reason);
}
