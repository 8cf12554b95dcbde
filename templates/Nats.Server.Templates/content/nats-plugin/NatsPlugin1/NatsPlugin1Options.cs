using Nats.Core.Config;

namespace NatsPlugin1;

/// <summary>
/// The plugin's section, <c>natsplugin1 { token: "s3cret", account: "APP" }</c>. A record of
/// immutable values: an unchanged section compares equal, so a reload that does not touch it
/// calls no hook.
/// </summary>
public sealed record NatsPlugin1Options(string? Token, string? Account)
{
    /// <summary>No section: the plugin admits nobody and does not make authentication required.</summary>
    public static readonly NatsPlugin1Options None = new(null, null);

    /// <summary>Parses the section; a wrong type throws a ConfigException naming file:line:col.</summary>
    public static NatsPlugin1Options Parse(ConfValue? section)
    {
        if (section is null)
        {
            return None;
        }
        var map = section.AsMap();
        var token = map.TryGet("token", out var t) ? t.AsString() : null;
        var account = map.TryGet("account", out var a) ? a.AsString() : null;
        return new NatsPlugin1Options(token, string.IsNullOrEmpty(account) ? null : account);
    }
}
