using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Logging;
using Nats.Host.Cli;
using Nats.Host.Hosting;
using Nats.Host.Plugins;
using Nats.Host.Signals;
using Nats.Server.Hosting.Logging;

namespace Nats.Host;

/// <summary>
/// The stock server executable, a drop-in for <c>nats-server</c>: same flags, same config
/// files, same messages and exit codes (0 normal, 1 start-up or config errors, 2 bad flags).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // First, before any Console use initialises the runtime's signal handling.
        InheritedIgnoredSignals.Reset(SignalHandlers.Handled);
        // Before the first socket: the runtime reads this once.
        InlineSocketCompletions.Enable();
        StartupTimeline.Step("runtime to Main");
        ServerCommandLine commandLine;
        try
        {
            commandLine = ServerCommandLine.Parse(args);
        }
        catch (FlagParseException e)
        {
            // Go's flag package: the error, then the usage, then exit status 2.
            Console.Error.WriteLine(e.Message);
            Console.Out.WriteLine(UsageText.Usage);
            return 2;
        }
        if (commandLine.ShowVersion)
        {
            return PrintAndExit(UsageText.Version);
        }
        if (commandLine.ShowHelp)
        {
            return PrintAndExit(UsageText.Usage);
        }
        if (commandLine.ShowTlsHelp)
        {
            return PrintAndExit(UsageText.TlsHelp);
        }
        if (commandLine.Arguments.Count > 0)
        {
            return commandLine.Arguments[0].ToLowerInvariant() switch
            {
                "version" => PrintAndExit(UsageText.Version),
                "help" => PrintAndExit(UsageText.Usage),
                _ => Die($"unrecognized command: \"{commandLine.Arguments[0]}\""),
            };
        }
        if (commandLine.Signal is { } signal)
        {
            return SendSignal(signal);
        }
        if (commandLine.CheckConfig)
        {
            return ConfigCheck.Run(commandLine.ConfigFile, options => PluginProbe.ClaimsReviewer(options, commandLine));
        }

        StartupTimeline.Step("command line");
        ConfigLoader.Loaded loaded;
        try
        {
            loaded = ConfigLoader.Load(commandLine);
        }
        catch (ConfigBindingException e)
        {
            // nats-server prints the collected errors each on its own line, then a blank line.
            return Die(e.Message + "\n");
        }
        catch (Exception e) when (e is ConfigException or ConfigurationException or CommandLineException)
        {
            return Die(e.Message);
        }

        StartupTimeline.Step("config");
        using var logs = new NatsLoggerProvider(loaded.Options.Logging);
        // Built directly, not through LoggerFactory.Create: that composes a dependency-injection
        // container (options, configuration binding) for one provider, tens of milliseconds of
        // start-up before the first log line. The provider filters by level itself.
        using var loggerFactory = new LoggerFactory([logs], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        var logger = loggerFactory.CreateLogger("Nats.Host");
        foreach (var warning in loaded.Warnings)
        {
            HostingLog.ConfigWarning(logger, warning);
        }
        StartupTimeline.Step("logging");
        var host = new ServerHost(commandLine, loaded, logs, loggerFactory);
        return await host.RunAsync().ConfigureAwait(false);
    }

    /// <summary>nats-server's <c>PrintAndDie</c>: <c>nats-server: &lt;message&gt;</c> on stderr, exit status 1.</summary>
    internal static int Die(string message)
    {
        Console.Error.WriteLine($"{UsageText.ExeName}: {message}");
        return 1;
    }

    private static int PrintAndExit(string text)
    {
        Console.Out.WriteLine(text);
        return 0;
    }

    private static int SendSignal(string signal)
    {
        if (OperatingSystem.IsWindows())
        {
            return Die("sending signals is not supported on Windows");
        }
        try
        {
            SignalCommand.Run(signal);
            return 0;
        }
        catch (CommandLineException e)
        {
            return Die(e.Message);
        }
    }
}
