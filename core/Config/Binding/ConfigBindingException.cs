namespace Nats.Core.Config.Binding;

/// <summary>
/// A config file that parses but cannot be used. Like nats-server, binding collects every
/// error (and the warnings found on the way) instead of stopping at the first; the message
/// lists the warnings, then the errors, one per line, each naming <c>file:line:col</c> and the option.
/// <see cref="ConfigException.Position"/> and <see cref="ConfigException.Reason"/> describe the first error.
/// </summary>
public sealed class ConfigBindingException : ConfigException
{
    /// <summary>Creates the exception; <paramref name="errors"/> must not be empty.</summary>
    public ConfigBindingException(
        IReadOnlyList<ConfigDiagnostic> errors,
        IReadOnlyList<ConfigDiagnostic> warnings,
        IReadOnlyList<ConfEntry>? unclaimed = null)
        : base(First(errors).Position, First(errors).Reason)
    {
        Errors = errors;
        Warnings = warnings;
        Unclaimed = unclaimed ?? [];
    }

    /// <summary>Every error, in file order.</summary>
    public IReadOnlyList<ConfigDiagnostic> Errors { get; }

    /// <summary>Warnings found before binding stopped.</summary>
    public IReadOnlyList<ConfigDiagnostic> Warnings { get; }

    /// <summary>
    /// Top-level keys the kernel does not bind, as in <see cref="ConfigBindResult.Unclaimed"/>, so
    /// that a config check can still report the ones no plugin claims alongside the errors.
    /// </summary>
    public IReadOnlyList<ConfEntry> Unclaimed { get; }

    /// <summary>Warnings first, then errors, one per line (nats-server's order).</summary>
    public override string Message => string.Join('\n', Warnings.Concat(Errors).Select(d => d.Message));

    private static ConfigDiagnostic First(IReadOnlyList<ConfigDiagnostic> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count > 0 ? errors[0] : throw new ArgumentException("At least one error is required.", nameof(errors));
    }
}
