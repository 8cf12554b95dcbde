using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Logging;
using Nats.Host.Cli;
using Nats.Core.Plugins;
using Nats.Host.Files;
using Nats.Host.Plugins;
using Nats.Host.Signals;
using Nats.Server.Hosting.Logging;

namespace Nats.Host.Hosting;

/// <summary>
/// Runs one server process the way nats-server's <c>main</c> does: pid file, start, ports file,
/// signals (SIGINT/SIGTERM stop cleanly, SIGQUIT stops at once, SIGUSR1 reopens the log file,
/// SIGUSR2 enters lame duck mode, SIGHUP reloads the config), and clean-up at exit. Plugins
/// are loaded into the server before it starts; only then can the config's unclaimed keys be
/// told apart from plugin sections.
/// </summary>
internal sealed class ServerHost
{
    private readonly ServerCommandLine _commandLine;
    private readonly ConfigLoader.Loaded _loaded;
    private readonly NatsLoggerProvider _logs;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private ServerOptions _options;
    private NatsServer? _server;
    private PidFile? _pidFile;
    private PortsFile? _portsFile;
    private IHostPlugins? _plugins;

    public ServerHost(ServerCommandLine commandLine, ConfigLoader.Loaded loaded, NatsLoggerProvider logs, ILoggerFactory loggerFactory)
    {
        _commandLine = commandLine;
        _loaded = loaded;
        _options = loaded.Options;
        _logs = logs;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Nats.Host");
    }

    /// <summary>Runs until the server shuts down; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        try
        {
            if (_options.PidFile is { } pidPath)
            {
                _pidFile = new PidFile(pidPath);
                try
                {
                    _pidFile.Write();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _pidFile = null;
                    return Program.Die($"Could not write pidfile: {e.Message}");
                }
            }
            await using var server = new NatsServer(_options, _loggerFactory);
            StartupTimeline.Step("server constructed");
            IHostPlugins plugins;
            try
            {
                plugins = HostPluginSource.Prepare(server, _commandLine.PluginsDir, _logger);
            }
            catch (Exception e) when (e is PluginException or ConfigException)
            {
                return Program.Die(e.Message);
            }
            using var pluginsLifetime = plugins;
            StartupTimeline.Step("plugin manifests");
            // Keys nobody owns are known from the manifests alone: refused before any plugin loads or logs.
            var unknown = plugins.Claims.Review(_loaded.Unclaimed, _loaded.Config, _ => true).Errors;
            if (unknown.Count > 0)
            {
                return Program.Die(string.Join('\n', unknown.Select(e => e.Message)) + "\n");
            }
            try
            {
                plugins.LoadInto(server);
            }
            catch (Exception e) when (e is PluginException or ConfigException)
            {
                return Program.Die(e.Message);
            }
            _plugins = plugins;
            StartupTimeline.Step("plugins loaded");
            if (ReviewClaims(_loaded, server, plugins) is { } refusal)
            {
                // nats-server prints the collected errors each on its own line, then a blank line.
                return Program.Die(refusal + "\n");
            }
            _server = server;
            server.ConfigurationReloader = ReloadAsync;
            using var signals = new SignalHandlers(OnSignal);
            StartupTimeline.Step("config reviewed");
            try
            {
                await server.StartAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or PluginException)
            {
                // The monitoring listener's bind failure (Kestrel) surfaces as an IOException.
                return Program.Die(e.Message);
            }
            StartupTimeline.Listening();
            WritePortsFile(server);
            SystemdReadiness.Ready(server);
            await server.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        catch (ConfigurationException e)
        {
            // Listening failed (port in use…) or the accounts don't fit together.
            return Program.Die(e.Message);
        }
        finally
        {
            _portsFile?.Dispose();
            _pidFile?.Dispose();
        }
    }

    /// <summary>
    /// SIGHUP / <c>--signal reload</c>: re-reads the config file, re-applies the command-line
    /// flags over it and checks the result; a config that fails changes nothing. Logging
    /// settings are applied here (the host owns the log sink); everything else goes to the
    /// kernel's <see cref="NatsServer.Reload"/>, which applies all of it or none.
    /// Returns whether the new configuration was accepted.
    /// </summary>
    public async Task<bool> ReloadConfigurationAsync() => (await ReloadAsync().ConfigureAwait(false)).Success;

    /// <summary>
    /// The reload itself, with the reasons when refused: also what
    /// <c>$SYS.REQ.SERVER.&lt;id&gt;.RELOAD</c> runs (<see cref="NatsServer.ConfigurationReloader"/>).
    /// </summary>
    private async Task<ReloadResult> ReloadAsync()
    {
        await _reloading.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_commandLine.ConfigFile is null)
            {
                return ReloadFailed("can only reload config when a file is provided using -c or --config");
            }
            ConfigLoader.Loaded loaded;
            try
            {
                loaded = ConfigLoader.Load(_commandLine);
            }
            catch (Exception e) when (e is ConfigException or ConfigurationException or CommandLineException)
            {
                return ReloadFailed(e.Message);
            }
            foreach (var warning in loaded.Warnings)
            {
                HostingLog.ConfigWarning(_logger, warning);
            }
            var result = new ReloadResult(true, [], []);
            if (_server is { } server && _plugins is { } plugins)
            {
                if (ReviewClaims(loaded, server, plugins) is { } refusal)
                {
                    return ReloadFailed(refusal);
                }
                // The kernel validates everything (its options and every plugin's section) and
                // applies all or nothing, logging either way.
                result = server.Reload(loaded.Options);
                if (!result.Success)
                {
                    return result;
                }
            }
            _logs.Apply(loaded.Options.Logging);
            _options = loaded.Options;
            return result;
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>
    /// Judges the keys the kernel did not bind (<see cref="ConfigClaims"/>): logs the ignored ones
    /// and returns the errors (unknown keys, security settings no loaded plugin applies) as one
    /// text, or null when the server may run with this config.
    /// </summary>
    private string? ReviewClaims(ConfigLoader.Loaded loaded, NatsServer server, IHostPlugins plugins)
    {
        var review = plugins.Review(server, loaded.Unclaimed, loaded.Config);
        if (review.Errors.Count > 0)
        {
            return string.Join('\n', review.Errors.Select(e => e.Message));
        }
        foreach (var warning in review.Warnings)
        {
            HostingLog.ConfigWarning(_logger, warning.Message);
        }
        // -js / -sd are kept for the JetStream plugin; without one they must not pass silently.
        var flags = loaded.Options.Flags;
        if ((flags.JetStream == true || flags.StoreDir is not null) && !plugins.IsApplied(server, "jetstream"))
        {
            HostingLog.JetStreamFlagsWithoutPlugin(_logger);
        }
        return null;
    }

    private ReloadResult ReloadFailed(string reason)
    {
        HostingLog.ReloadFailed(_logger, reason);
        return new ReloadResult(false, [reason], []);
    }

    private void OnSignal(int signal)
    {
        if (_server is not { } server)
        {
            return;
        }
        HostingLog.SignalTrapped(_logger, UnixSignal.Name(signal));
        switch (signal)
        {
            case UnixSignal.Interrupt:
                _ = server.ShutdownAsync();
                break;
            case UnixSignal.Terminate:
                // As nats-server: lame duck mode already ends in a shutdown; don't cut it short.
                if (!server.IsLameDuck)
                {
                    _ = server.ShutdownAsync();
                }
                break;
            case UnixSignal.Quit:
                StopNow();
                break;
            case UnixSignal.Hangup:
                _ = ReloadConfigurationAsync();
                break;
            default:
                if (signal == UnixSignal.User1)
                {
                    _logs.Reopen();
                }
                else if (signal == UnixSignal.User2)
                {
                    _ = server.EnterLameDuckModeAsync();
                }
                break;
        }
    }

    // SIGQUIT: no draining, no waiting for connections; just the files we own, then exit.
    private void StopNow()
    {
        _portsFile?.Dispose();
        _pidFile?.Dispose();
        _logs.Dispose();
        Environment.Exit(0);
    }

    private void WritePortsFile(NatsServer server)
    {
        if (_options.PortsFileDir is not { } directory)
        {
            return;
        }
        try
        {
            _portsFile = PortsFile.Write(directory, ExecutableName.Current, server.ListenerAddresses);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            HostingLog.PortsFileError(_logger, directory, e.Message);
        }
    }
}
