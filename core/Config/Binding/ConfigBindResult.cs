namespace Nats.Core.Config.Binding;

/// <summary>What <see cref="ServerOptionsBinder"/> made of a config: the options and what to tell the operator.</summary>
public sealed class ConfigBindResult
{
    internal ConfigBindResult(
        ServerOptions options,
        ConfMap config,
        IReadOnlyList<ConfigDiagnostic> warnings,
        IReadOnlyList<ConfigDiagnostic> ignored,
        IReadOnlyList<ConfEntry> unclaimed)
    {
        Options = options;
        Config = config;
        Warnings = warnings;
        Ignored = ignored;
        Unclaimed = unclaimed;
    }

    /// <summary>The kernel options, nats-server defaults where the file says nothing.</summary>
    public ServerOptions Options { get; }

    /// <summary>The parsed config the options came from.</summary>
    public ConfMap Config { get; }

    /// <summary>
    /// Warnings nats-server gives too (a bare number of seconds for a duration, an unquoted
    /// <c>2m</c>, a long auth timeout, duplicate routes…). nats-server starts anyway but fails
    /// <c>-t</c> on them, and so should a host.
    /// </summary>
    public IReadOnlyList<ConfigDiagnostic> Warnings { get; }

    /// <summary>Settings nats-server knows, inside blocks the kernel binds, that this server accepts and ignores.</summary>
    public IReadOnlyList<ConfigDiagnostic> Ignored { get; }

    /// <summary>
    /// Top-level keys the kernel does not bind, in file order; their values are in
    /// <see cref="ServerOptions.Sections"/> for plugins. Report the ones no plugin claims with
    /// <see cref="ServerOptionsBinder.DescribeUnclaimed"/>.
    /// </summary>
    public IReadOnlyList<ConfEntry> Unclaimed { get; }
}
