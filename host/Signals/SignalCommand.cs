using Nats.Host.Cli;

namespace Nats.Host.Signals;

/// <summary>
/// <c>--signal &lt;command&gt;[=&lt;pid&gt;|&lt;pidfile&gt;]</c> (nats-server's <c>processSignal</c>): sends
/// the command's signal to a running server. Without a pid, finds the single running instance;
/// a pid ending in <c>*</c> signals every instance whose pid starts with the digits before it.
/// </summary>
internal static class SignalCommand
{
    /// <summary>Sends the signal; throws <see cref="CommandLineException"/> with nats-server's message on failure.</summary>
    public static void Run(string argument) => Run(argument, ServerProcessFinder.FindOthers);

    internal static void Run(string argument, Func<List<int>> findInstances)
    {
        var parts = argument.Split('=');
        if (parts.Length > 2)
        {
            throw new CommandLineException($"invalid signal parameters: [{string.Join(' ', parts[2..])}]");
        }
        var command = parts[0];
        var signal = ToSignal(command) ?? throw new CommandLineException($"unknown signal \"{command}\"");
        var pidExpression = parts.Length == 2 ? MaybeReadPidFile(parts[1]) : "";
        foreach (var pid in ResolvePids(pidExpression, findInstances))
        {
            if (UnixSignal.Send(pid, signal) is { } error)
            {
                throw new CommandLineException($"signal \"{command}\" {pid}: {error}");
            }
        }
    }

    /// <summary>nats-server's command → signal table. "stop" is SIGKILL there, and here.</summary>
    internal static int? ToSignal(string command) => command switch
    {
        "stop" => UnixSignal.Kill,
        "quit" => UnixSignal.Interrupt,
        "reopen" => UnixSignal.User1,
        "reload" => UnixSignal.Hangup,
        "ldm" => UnixSignal.User2,
        "term" => UnixSignal.Terminate,
        _ => null,
    };

    /// <summary>A readable file holds the pid (a pid file); anything else is the pid itself.</summary>
    internal static string MaybeReadPidFile(string value)
    {
        try
        {
            return File.Exists(value) ? File.ReadAllText(value).Trim() : value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return value;
        }
    }

    internal static List<int> ResolvePids(string expression, Func<List<int>> findInstances)
    {
        var glob = expression.EndsWith('*');
        var prefix = glob ? expression[..^1] : expression;
        if (prefix.Length > 0 && !int.TryParse(prefix, out _))
        {
            throw new CommandLineException($"invalid pid: {prefix}");
        }
        if (prefix.Length > 0 && !glob)
        {
            return [int.Parse(prefix)];
        }
        var running = findInstances();
        if (running.Count > 1 && !glob)
        {
            throw new CommandLineException($"multiple {UsageText.ExeName} processes running:\n{string.Join('\n', running)}");
        }
        if (running.Count == 0)
        {
            throw new CommandLineException($"no {UsageText.ExeName} processes running");
        }
        return glob ? running.Where(p => p.ToString().StartsWith(prefix, StringComparison.Ordinal)).ToList() : running;
    }
}
