using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Connections;

namespace Nats.Gateway.Config;

/// <summary>
/// Reads the <c>gateway {}</c> block as nats-server's <c>parseGateway</c>/<c>parseGateways</c>
/// do (same keys, aliases and texts), then checks it as <c>validateGatewayOptions</c>. The first
/// problem throws a <see cref="ConfigException"/> naming its position.
/// </summary>
public static class GatewayOptionsParser
{
    // nats-server's AUTH_TIMEOUT; with TLS the default is the TLS timeout plus one second.
    private static readonly TimeSpan DefaultAuthTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Parses and validates the section (null when absent).</summary>
    public static GatewayOptions Parse(ConfValue? section)
    {
        if (section is null)
        {
            return GatewayOptions.None;
        }
        if (section is not ConfMap map)
        {
            throw new ConfigException(section.Position, $"Expected gateway to be a map, got {GoText.TypeName(section)}");
        }
        var options = GatewayOptions.None;
        foreach (var entry in map)
        {
            options = ParseEntry(options, entry);
        }
        Validate(options, map.Position);
        return options;
    }

    /// <summary>The auth timeout in force: configured, or nats-server's default for the TLS setting.</summary>
    public static TimeSpan AuthTimeout(GatewayOptions options) =>
        options.AuthTimeout ?? (options.Tls is { } tls ? tls.Timeout + TimeSpan.FromSeconds(1) : DefaultAuthTimeout);

    private static GatewayOptions ParseEntry(GatewayOptions options, ConfEntry entry)
    {
        var value = entry.Value;
        switch (entry.Key.ToLowerInvariant())
        {
            case "name":
                return options with { Name = value.AsString() };
            case "listen":
                return Listen(options, entry);
            case "port":
                return options with { Port = value.AsInt() };
            case "host" or "net":
                return options with { Host = value.AsString() };
            case "authorization":
                return Authorization(options, entry);
            case "tls":
                return options with { Tls = TlsOptionsParser.Parse(value, isClientContext: false) };
            case "advertise":
                return options with { Advertise = value.AsString() };
            case "connect_retries":
                return options with { ConnectRetries = value.AsInt() };
            case "gateways":
                return options with { Gateways = Remotes(value) };
            case "reject_unknown" or "reject_unknown_cluster":
                return options with { RejectUnknown = value.AsBool() };
            default:
                if (value.IsUsedAsVariable)
                {
                    return options;
                }
                throw new ConfigException(entry.KeyPosition, $"unknown field \"{entry.Key}\"");
        }
    }

    // nats-server's parseListen: a port alone, or host:port.
    private static GatewayOptions Listen(GatewayOptions options, ConfEntry entry) =>
        HostPort.TryParse(entry.Value, out var listen, out var error)
            ? options with { Host = listen.Host, Port = listen.Port }
            : throw new ConfigException(entry.KeyPosition, error!);

    // parseAuthorization, then the gateway's limits: one user, no token.
    private static GatewayOptions Authorization(GatewayOptions options, ConfEntry entry)
    {
        foreach (var item in entry.Value.AsMap())
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "user" or "username":
                    options = options with { Username = item.Value.AsString() };
                    break;
                case "pass" or "password":
                    options = options with { Password = item.Value.AsString() };
                    break;
                case "timeout":
                    var seconds = item.Value switch
                    {
                        ConfInteger => item.Value.AsLong(),
                        ConfFloat => item.Value.AsDouble(),
                        _ => 1.0,
                    };
                    options = options with { AuthTimeout = TimeSpan.FromSeconds(seconds) };
                    break;
                case "users":
                    throw new ConfigException(entry.KeyPosition, "Gateway authorization does not allow multiple users");
                case "token":
                    throw new ConfigException(entry.KeyPosition, "Gateway authorization does not support tokens");
                default:
                    if (!item.Value.IsUsedAsVariable)
                    {
                        throw new ConfigException(item.KeyPosition, $"unknown field \"{item.Key}\"");
                    }
                    break;
            }
        }
        return options;
    }

    private static IReadOnlyList<RemoteGatewayOptions> Remotes(ConfValue value)
    {
        if (value is not ConfList list)
        {
            throw new ConfigException(value.Position, $"Expected gateways field to be an array, got {GoText.TypeName(value)}");
        }
        var remotes = new List<RemoteGatewayOptions>();
        foreach (var item in list)
        {
            if (item is not ConfMap map)
            {
                throw new ConfigException(item.Position, $"Expected gateway entry to be a map/struct, got {item.Describe()}");
            }
            var remote = new RemoteGatewayOptions();
            foreach (var entry in map)
            {
                remote = entry.Key.ToLowerInvariant() switch
                {
                    "name" => remote with { Name = entry.Value.AsString() },
                    "tls" => remote with { Tls = TlsOptionsParser.Parse(entry.Value, isClientContext: true) },
                    "url" => remote with { Urls = [.. remote.Urls, Url(entry.Value)] },
                    "urls" => remote with { Urls = entry.Value.AsList().Select(Url).ToList() },
                    _ when entry.Value.IsUsedAsVariable => remote,
                    _ => throw new ConfigException(entry.KeyPosition, $"unknown field \"{entry.Key}\""),
                };
            }
            remotes.Add(remote);
        }
        return remotes;
    }

    private static Uri Url(ConfValue value)
    {
        var text = value.AsString().Trim();
        // Go's url.Parse takes "host:port" too; dialling needs a host and a port.
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "nats://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var url) || url.Host.Length == 0)
        {
            throw new ConfigException(value.Position, $"error parsing gateway url [\"{text}\"]");
        }
        return url;
    }

    private static void Validate(GatewayOptions options, ConfPosition position)
    {
        if (options.Name.Length == 0 && options.Port == 0)
        {
            return;
        }
        if (options.Name.Length == 0)
        {
            throw new ConfigException(position, "gateway has no name");
        }
        if (options.Port == 0)
        {
            throw new ConfigException(position, $"gateway \"{options.Name}\" has no port specified (select -1 for random port)");
        }
        for (var i = 0; i < options.Gateways.Count; i++)
        {
            var remote = options.Gateways[i];
            if (remote.Name.Length == 0)
            {
                throw new ConfigException(position, $"gateway in the list {i} has no name");
            }
            if (remote.Urls.Count == 0)
            {
                throw new ConfigException(position, $"gateway \"{remote.Name}\" has no URL");
            }
        }
    }

}
