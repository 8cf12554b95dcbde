using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Plugins;

namespace Nats.Host.Hosting;

/// <summary>
/// <c>-t</c>: checks the config file the way nats-server does and reports it its way. Like
/// nats-server, warnings fail the check too (a duration given as bare seconds, an unquoted
/// <c>2m</c>…), and so does a top-level key nats-server doesn't know and no plugin reads.
/// Options nats-server knows but this server ignores are listed, without failing the check.
/// The plugins are loaded and configured (never started), so their sections are checked too.
/// </summary>
internal static class ConfigCheck
{
    /// <summary>Runs the check; <paramref name="claimedSections"/> loads the plugins for the options and says which keys they read.</summary>
    public static int Run(string? configFile, Func<ServerOptions, Func<string, bool>> claimedSections)
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
            // The kernel's options are wrong already; plugins still tell which other keys are theirs.
            var sections = e.Unclaimed.ToDictionary(u => u.Key, u => (object?)u.Value, StringComparer.OrdinalIgnoreCase);
            var isClaimed = TryClaims(new ServerOptions { Sections = sections }, claimedSections);
            return Fail(e.Warnings.Concat(e.Errors).Concat(UnknownFields(e.Unclaimed, isClaimed)));
        }
        catch (ConfigException e)
        {
            return Program.Die(e.Message);
        }
        Func<string, bool> claimed;
        try
        {
            claimed = claimedSections(bound.Options);
        }
        catch (Exception e) when (e is PluginException or ConfigException or ConfigurationException)
        {
            return Program.Die(e.Message);
        }
        var unclaimed = bound.Unclaimed.Where(e => !claimed(e.Key)).ToList();
        var failures = bound.Warnings.Concat(UnknownFields(unclaimed, claimed)).ToList();
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

    private static Func<string, bool> TryClaims(ServerOptions options, Func<ServerOptions, Func<string, bool>> claimedSections)
    {
        try
        {
            return claimedSections(options);
        }
        catch (Exception e) when (e is PluginException or ConfigException or ConfigurationException)
        {
            // The binding errors are what the operator must fix first; plugin errors come after.
            return section => string.Equals(section, Plugins.PluginSettings.SectionName, StringComparison.OrdinalIgnoreCase);
        }
    }

    // nats-server prints its collected problems one per line after its name, then a blank line.
    private static int Fail(IEnumerable<ConfigDiagnostic> problems) =>
        Program.Die(string.Join('\n', problems.Select(p => p.Message)) + "\n");

    // Keys nats-server doesn't know either are its "unknown field" errors.
    private static IEnumerable<ConfigDiagnostic> UnknownFields(IEnumerable<ConfEntry> unclaimed, Func<string, bool> isClaimed) =>
        unclaimed.Where(e => !isClaimed(e.Key) && !ServerOptionsBinder.IsNatsServerOption(e.Key)).Select(ServerOptionsBinder.DescribeUnclaimed);
}
