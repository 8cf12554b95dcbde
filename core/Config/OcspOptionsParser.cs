namespace Nats.Core.Config;

/// <summary>Reads the top-level <c>ocsp</c> setting as nats-server's <c>processConfigFileLine</c> does.</summary>
public static class OcspOptionsParser
{
    /// <summary>
    /// Parses <c>ocsp</c> (null when absent: <see cref="OcspOptions.Default"/>). Parts this server
    /// does not act on add a line to <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="ConfigException">An invalid value.</exception>
    public static OcspOptions Parse(ConfValue? value, ICollection<string>? warnings = null)
    {
        switch (value)
        {
            case null:
                return OcspOptions.Default;
            case ConfBool b:
                return new OcspOptions { Mode = b.Value ? OcspMode.Auto : OcspMode.Never };
            case ConfMap map:
                var options = new OcspOptions();
                foreach (var entry in map)
                {
                    options = entry.Key switch
                    {
                        "mode" => options with { Mode = Mode(entry) },
                        "url" => options with { OverrideUrls = [Text(entry.Value)] },
                        "urls" => options with { OverrideUrls = entry.Value is ConfList list ? [.. list.Select(Text)] : [Text(entry.Value)] },
                        _ => throw new ConfigException(entry.KeyPosition, $"error parsing ocsp config: unsupported field {entry.Key}"),
                    };
                }
                if (options.OverrideUrls.Count > 0)
                {
                    warnings?.Add($"{map.Position}: ocsp url/urls are not supported: staples come from the responder named in the certificate");
                }
                if (options.Mode is OcspMode.Must or OcspMode.Always)
                {
                    warnings?.Add($"{map.Position}: ocsp mode {options.Mode.ToString().ToLowerInvariant()}: certificates are stapled, but the server does not shut down when a staple reports the certificate revoked");
                }
                return options;
            default:
                throw new ConfigException(value.Position, $"error parsing ocsp config: unsupported type {value.Describe()}");
        }
    }

    private static OcspMode Mode(ConfEntry entry)
    {
        var text = Text(entry.Value);
        return text.ToLowerInvariant() switch
        {
            "always" => OcspMode.Always,
            "must" => OcspMode.Must,
            "never" => OcspMode.Never,
            "auto" => OcspMode.Auto,
            _ => throw new ConfigException(entry.KeyPosition, $"error parsing ocsp config: unsupported ocsp mode {text}"),
        };
    }

    private static string Text(ConfValue value) =>
        value is ConfString s ? s.Value : throw new ConfTypeException(value, ConfValueKind.String);
}
