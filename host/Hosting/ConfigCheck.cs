using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Plugins;

namespace Nats.Host.Hosting;

/// <summary>
/// <c>-t</c>: checks the config file the way nats-server does and reports it its way. Like
/// nats-server, warnings fail the check too (a duration given as bare seconds, an unquoted
/// <c>2m</c>…), and so does a top-level key nats-server doesn't know and no plugin reads.
/// Options nats-server knows but this server ignores are listed, without failing the check.
/// The plugins are loaded and configured (never started), so their sections are checked too, and
/// the kernel loads its TLS certificates as a start would: a TLS setting that cannot be applied
/// fails the check as it fails the start.
/// </summary>
internal static class ConfigCheck
{
    /// <summary>Runs the check; <paramref name="claimsReviewer"/> loads the plugins for the options and judges the keys the kernel left alone.</summary>
    public static int Run(string? configFile, Func<ServerOptions, Func<IEnumerable<ConfEntry>, ConfMap?, ConfigClaimsReview>> claimsReviewer)
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
            var review = TryReview(new ServerOptions { Sections = sections }, claimsReviewer, e.Unclaimed);
            return Fail(e.Warnings.Concat(e.Errors).Concat(review.Errors));
        }
        catch (ConfigException e)
        {
            return Program.Die(e.Message);
        }
        ConfigClaimsReview claims;
        try
        {
            claims = claimsReviewer(bound.Options)(bound.Unclaimed, bound.Config);
        }
        catch (Exception e) when (e is PluginException or ConfigException or ConfigurationException)
        {
            return Program.Die(e.Message);
        }
        var failures = bound.Warnings.Concat(claims.Errors).ToList();
        if (failures.Count > 0)
        {
            return Fail(failures);
        }
        foreach (var notice in bound.Ignored.Concat(claims.Warnings))
        {
            Console.Error.WriteLine(notice.Message);
        }
        Console.Error.WriteLine($"{Cli.UsageText.ExeName}: configuration file {configFile} is valid ({bound.Options.ConfigDigest})");
        return 0;
    }

    private static ConfigClaimsReview TryReview(ServerOptions options, Func<ServerOptions, Func<IEnumerable<ConfEntry>, ConfMap?, ConfigClaimsReview>> claimsReviewer, IReadOnlyList<ConfEntry> unclaimed)
    {
        try
        {
            return claimsReviewer(options)(unclaimed, null);
        }
        catch (Exception e) when (e is PluginException or ConfigException or ConfigurationException)
        {
            // The binding errors are what the operator must fix first; plugin errors come after.
            return new ConfigClaimsReview([], []);
        }
    }

    // nats-server prints its collected problems one per line after its name, then a blank line.
    private static int Fail(IEnumerable<ConfigDiagnostic> problems) =>
        Program.Die(string.Join('\n', problems.Select(p => p.Message)) + "\n");
}
