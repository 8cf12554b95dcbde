using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Host.Cli;

namespace Nats.Host.Hosting;

/// <summary>
/// Builds the options the way nats-server's <c>ConfigureOptions</c> does: the config file (if
/// any) over the defaults, then the command-line flags over that, then the zero-means-default
/// baseline, then the final checks. Used at start-up and again for every reload, so a flag
/// keeps overriding the file after a reload too.
/// </summary>
internal static class ConfigLoader
{
    /// <summary>The options plus what to tell the operator about the config.</summary>
    /// <param name="Options">The options.</param>
    /// <param name="Warnings">Warnings about the file and the flags.</param>
    /// <param name="Unclaimed">
    /// Top-level keys the kernel does not bind. Whether one is unknown depends on the plugins,
    /// and their manifests: see <see cref="Nats.Core.Config.ConfigClaims"/>.
    /// </param>
    /// <param name="Config">The parsed file (null without one), for nested settings plugins own.</param>
    internal sealed record Loaded(ServerOptions Options, IReadOnlyList<string> Warnings, IReadOnlyList<ConfEntry> Unclaimed, ConfMap? Config);

    /// <summary>
    /// Loads and checks. Throws <see cref="ConfigException"/> (file and binding errors),
    /// <see cref="CommandLineException"/> or <see cref="ConfigurationException"/>.
    /// </summary>
    public static Loaded Load(ServerCommandLine commandLine)
    {
        var warnings = new List<string>();
        ServerOptions options;
        IReadOnlyList<ConfEntry> unclaimed = [];
        ConfMap? config = null;
        if (commandLine.ConfigFile is { } file)
        {
            var bound = ServerOptionsBinder.BindFile(file);
            options = bound.Options;
            warnings.AddRange(bound.Warnings.Select(w => w.Message));
            warnings.AddRange(bound.Ignored.Select(w => w.Message));
            unclaimed = bound.Unclaimed;
            config = bound.Config;
        }
        else
        {
            options = new ServerOptions();
        }
        commandLine.ApplyTo(options);
        ServerOptionsDefaults.ApplyBaseline(options);
        ServerOptionsValidator.Validate(options);
        warnings.AddRange(commandLine.Warnings);
        return new Loaded(options, warnings, unclaimed, config);
    }
}
