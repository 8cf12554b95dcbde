using Nats.Core.Config;
using Nats.Core.Config.Binding;

namespace Nats.Host.Hosting;

/// <summary>
/// <c>-t</c>: checks the config file the way nats-server does and reports it its way. Like
/// nats-server, warnings fail the check too (a duration given as bare seconds, an unquoted
/// <c>2m</c>…), and so does a top-level key nats-server doesn't know. Options nats-server knows
/// but this server ignores are listed, without failing the check.
/// </summary>
internal static class ConfigCheck
{
    public static int Run(string? configFile, Func<string, bool> isClaimed)
    {
        if (configFile is null)
        {
            return Program.Die("must specify [-c, --config] option to check configuration file syntax");
        }
        ConfigBindResult bound;
        try
        {
            bound = ServerOptionsBinder.BindFile(configFile);
        }
        catch (ConfigBindingException e)
        {
            return Fail(e.Warnings.Concat(e.Errors).Concat(UnknownFields(e.Unclaimed, isClaimed)));
        }
        catch (ConfigException e)
        {
            return Program.Die(e.Message);
        }
        var unclaimed = bound.Unclaimed.Where(e => !isClaimed(e.Key)).ToList();
        var failures = bound.Warnings.Concat(UnknownFields(unclaimed, isClaimed)).ToList();
        if (failures.Count > 0)
        {
            return Fail(failures);
        }
        var ignored = bound.Ignored
            .Concat(unclaimed.Where(e => ServerOptionsBinder.IsNatsServerOption(e.Key)).Select(ServerOptionsBinder.DescribeUnclaimed));
        foreach (var notice in ignored)
        {
            Console.Error.WriteLine(notice.Message);
        }
        Console.Error.WriteLine($"{Cli.UsageText.ExeName}: configuration file {configFile} is valid ({bound.Options.ConfigDigest})");
        return 0;
    }

    // nats-server prints its collected problems one per line after its name, then a blank line.
    private static int Fail(IEnumerable<ConfigDiagnostic> problems) =>
        Program.Die(string.Join('\n', problems.Select(p => p.Message)) + "\n");

    // Keys nats-server doesn't know either are its "unknown field" errors.
    private static IEnumerable<ConfigDiagnostic> UnknownFields(IEnumerable<ConfEntry> unclaimed, Func<string, bool> isClaimed) =>
        unclaimed.Where(e => !isClaimed(e.Key) && !ServerOptionsBinder.IsNatsServerOption(e.Key)).Select(ServerOptionsBinder.DescribeUnclaimed);
}
