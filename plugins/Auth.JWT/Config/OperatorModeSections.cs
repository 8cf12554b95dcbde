using System.Globalization;
using System.Text;
using Nats.Core.Config;
using Nats.Core.Plugins;

namespace Nats.AuthJwt.Config;

/// <summary>
/// Binds every top-level key of operator mode (with nats-server's aliases) on the config bus and
/// reads them together as <see cref="OperatorModeOptions"/>. Each key is bound as its raw value
/// with a canonical text, so that a reload leaving it equal is no change; a key that changes is
/// refused (nats-server does not reload operators or resolvers either), except
/// <c>resolver_preload</c>, whose hook is given by the caller.
/// </summary>
public sealed class OperatorModeSections
{
    /// <summary>The keys, as the plugin's manifest claims them (the nested <c>authorization.*</c> ones aside).</summary>
    public static readonly string[] Keys =
    [
        "operator", "operators", "root", "roots", "root_operator", "root_operators",
        "resolver", "account_resolver", "accounts_resolver", "resolver_tls", "resolver_preload",
        "resolver_pinned_accounts", "trusted", "trusted_keys", "default_sentinel",
    ];

    private readonly Dictionary<string, IConfigSection<RawSetting>> _sections = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Binds every key; <paramref name="preloadHook"/> takes part in reloads of <c>resolver_preload</c>.
    /// The other keys have no hook: a reload that changes one is rejected, naming it.
    /// </summary>
    public OperatorModeSections(IConfigBus bus, IReloadHook<RawSetting> preloadHook)
    {
        foreach (var key in Keys)
        {
            _sections[key] = bus.Bind(key, value => new RawSetting(key, value), key == "resolver_preload" ? preloadHook : null);
        }
    }

    /// <summary>The options from the values in force.</summary>
    public OperatorModeOptions Read() => OperatorModeOptions.Parse(name => _sections.TryGetValue(name, out var s) ? s.Current.Value : null);

    /// <summary>The options with <paramref name="replacement"/> in place of its key's current value.</summary>
    public OperatorModeOptions ReadWith(RawSetting replacement) =>
        OperatorModeOptions.Parse(name => string.Equals(name, replacement.Key, StringComparison.OrdinalIgnoreCase)
            ? replacement.Value
            : _sections.TryGetValue(name, out var s) ? s.Current.Value : null);

    /// <summary>True when any of the keys is set.</summary>
    public bool AnySet => _sections.Values.Any(s => s.Current.Value is not null);
}

/// <summary>One config value as written, compared by its canonical text (positions and formatting aside).</summary>
public sealed class RawSetting : IEquatable<RawSetting>
{
    /// <summary>The value of <paramref name="key"/> as written; null when it is not set.</summary>
    public RawSetting(string key, ConfValue? value)
    {
        Key = key;
        Value = value;
        Canonical = value is null ? "" : Canonicalize(value);
    }

    /// <summary>The config key.</summary>
    public string Key { get; }

    /// <summary>The value as parsed; null when the key is not set.</summary>
    public ConfValue? Value { get; }

    /// <summary>The value as sorted, typed text.</summary>
    public string Canonical { get; }

    /// <inheritdoc />
    public bool Equals(RawSetting? other) => other is not null && Key == other.Key && Canonical == other.Canonical && (Value is null) == (other.Value is null);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RawSetting);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Canonical);

    /// <inheritdoc />
    public override string ToString() => Canonical;

    private static string Canonicalize(ConfValue value)
    {
        var text = new StringBuilder();
        Write(text, value);
        return text.ToString();
    }

    private static void Write(StringBuilder text, ConfValue value)
    {
        switch (value)
        {
            case ConfMap map:
                text.Append('{');
                foreach (var entry in map.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    text.Append(entry.Key).Append(':');
                    Write(text, entry.Value);
                    text.Append(',');
                }
                text.Append('}');
                break;
            case ConfList list:
                text.Append('[');
                foreach (var item in list)
                {
                    Write(text, item);
                    text.Append(',');
                }
                text.Append(']');
                break;
            default:
                text.Append(value.Kind.ToString()).Append('(').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append(')');
                break;
        }
    }
}
