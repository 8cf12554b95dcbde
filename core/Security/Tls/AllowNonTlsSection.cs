using Nats.Core.Config;

namespace Nats.Core.Security.Tls;

/// <summary>The top-level <c>allow_non_tls</c>: with client TLS on, accept plain connections too.</summary>
/// <param name="Value">The setting (false when absent).</param>
internal sealed record AllowNonTlsSection(bool Value)
{
    /// <summary>Parses the setting.</summary>
    /// <exception cref="ConfigException">Not a boolean.</exception>
    public static AllowNonTlsSection Parse(ConfValue? value) => value switch
    {
        null => new AllowNonTlsSection(false),
        ConfBool b => new AllowNonTlsSection(b.Value),
        _ => throw new ConfTypeException(value, ConfValueKind.Bool),
    };
}
