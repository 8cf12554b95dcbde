using Microsoft.Extensions.Logging;

namespace Nats.Core.Logging;

/// <summary>
/// The server's own events (start, listeners, shutdown, lame duck, reload, the heartbeat), in
/// nats-server's wording. Event ids 1–99; connections use 100–199 (<see cref="ConnectionLog"/>),
/// routes 200–299 (<see cref="RouteLog"/>), protocol tracing 300–399.
/// </summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Starting nats-server")]
    public static partial void Starting(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "  Version:  {Version} (NATS {Compatible} compatible, .NET {Runtime})")]
    public static partial void Version(ILogger logger, string version, string compatible, Version runtime);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "  Name:     {Name}")]
    public static partial void Name(ILogger logger, string name);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "  ID:       {Id}")]
    public static partial void Id(ILogger logger, string id);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Using configuration file: {File}")]
    public static partial void ConfigFile(ILogger logger, string file);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Listening for client connections on {Address}")]
    public static partial void ListeningForClients(ILogger logger, string address);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Server is ready")]
    public static partial void Ready(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Initiating Shutdown...")]
    public static partial void ShuttingDown(ILogger logger);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Server Exiting..")]
    public static partial void Exiting(ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "GC: {Allocated} bytes allocated in total, collections gen0 {Gen0} gen1 {Gen1} gen2 {Gen2}")]
    public static partial void GcTotals(ILogger logger, long allocated, int gen0, int gen1, int gen2);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Entering lame duck mode, stop accepting new clients")]
    public static partial void EnteringLameDuck(ILogger logger);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Closing existing clients")]
    public static partial void ClosingClients(ILogger logger);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Failed to reload server configuration: {Errors}")]
    public static partial void ReloadFailed(ILogger logger, string errors);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Reloaded server configuration{Changes}")]
    public static partial void Reloaded(ILogger logger, string changes);

    /// <summary>Precedes the first line let through after a rate limiter held some back.</summary>
    [LoggerMessage(EventId = 15, Message = "{What}: {Count} similar lines suppressed")]
    public static partial void LinesSuppressed(ILogger logger, LogLevel level, string what, long count);

    /// <summary>A heartbeat tick (every connection's timers) took longer than its period: the server is overloaded.</summary>
    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Heartbeat took {Elapsed} ms, longer than its {Period} ms period; timers of {Connections} connections ran late, {Skipped} ticks skipped")]
    public static partial void SlowHeartbeat(ILogger logger, long elapsed, long period, int connections, long skipped);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "Account {Account} removed")]
    public static partial void AccountRemoved(ILogger logger, string account);

    [LoggerMessage(EventId = 18, Level = LogLevel.Debug, Message = "Plugin {Name} configured")]
    public static partial void PluginConfigured(ILogger logger, string name);

    [LoggerMessage(EventId = 19, Level = LogLevel.Error, Message = "Plugin {Name} failed to stop: {Reason}")]
    public static partial void PluginStopFailed(ILogger logger, string name, string reason);

    /// <summary>A TLS setting that is accepted but weakens security (nats-server warns the same way).</summary>
    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void TlsConfigWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Starting http monitor on {Address}:{Port}")]
    public static partial void MonitorStarting(ILogger logger, System.Net.IPAddress address, int port);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "Error writing monitoring response {Path}")]
    public static partial void MonitorWriteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 23, Level = LogLevel.Error, Message = "Error answering monitoring request {Path}")]
    public static partial void MonitorRequestFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "$SYS request {Subject} failed")]
    public static partial void SystemRequestFailed(ILogger logger, Exception exception, string subject);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "Account resolver {Resolver} failed for account {Account}: {Error}")]
    public static partial void ResolverFailed(ILogger logger, string resolver, string account, string error);

    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "Account resolver {Resolver} answered {Other} for account {Account}; ignored")]
    public static partial void ResolverAnsweredOther(ILogger logger, string resolver, string other, string account);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "{Problem}; the import stays inactive until that changes")]
    public static partial void ImportInactive(ILogger logger, string problem);

    [LoggerMessage(EventId = 28, Level = LogLevel.Warning, Message = "account \"{Account}\": error adding mapping for \"{Source}\": {Problem}")]
    public static partial void MappingRejected(ILogger logger, string account, string source, string problem);

    [LoggerMessage(EventId = 29, Level = LogLevel.Error, Message = "In-process subscription handler for {Subject} failed")]
    public static partial void InProcessHandlerFailed(ILogger logger, Exception exception, string subject);
}
