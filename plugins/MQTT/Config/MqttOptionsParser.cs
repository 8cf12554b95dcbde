using System.Globalization;
using Nats.Core.Config;

namespace Nats.Mqtt.Config;

/// <summary>
/// Reads the <c>mqtt {}</c> block as nats-server's <c>parseMQTT</c> does (same keys, aliases and
/// texts), then checks it as <c>validateMQTTOptions</c> does against the rest of the server's
/// options. The first problem throws a <see cref="ConfigException"/>.
/// </summary>
public static class MqttOptionsParser
{
    /// <summary>Parses and validates the section (null when absent).</summary>
    /// <param name="section">The <c>mqtt</c> value, or null.</param>
    /// <param name="server">The server's options, for the checks against users, cluster and JetStream; null skips them.</param>
    public static MqttOptions Parse(ConfValue? section, ServerOptions? server = null)
    {
        if (section is null)
        {
            return MqttOptions.None;
        }
        if (section is not ConfMap map)
        {
            throw new ConfigException(section.Position, $"Expected mqtt to be a map, got {GoTypeName(section)}");
        }
        var options = MqttOptions.None;
        foreach (var entry in map)
        {
            options = ParseEntry(options, entry);
        }
        if (server is not null && FindProblem(options, server) is { } problem)
        {
            throw new ConfigException(map.Position, problem);
        }
        return options;
    }

    private static MqttOptions ParseEntry(MqttOptions options, ConfEntry entry)
    {
        var value = entry.Value;
        switch (entry.Key.ToLowerInvariant())
        {
            case "listen":
                return Listen(options, entry);
            case "port":
                return options with { Port = value.AsInt() };
            case "host" or "net":
                return options with { Host = value.AsString() };
            case "tls":
                return options with { Tls = TlsOptionsParser.Parse(value, isClientContext: true) };
            case "authorization" or "authentication":
                return SimpleAuth(options, value);
            case "no_auth_user":
                return options with { NoAuthUser = value.AsString() };
            case "ack_wait" or "ackwait":
                return options with { AckWait = value.AsDuration() };
            case "js_api_timeout" or "api_timeout":
                return options with { JsApiTimeout = value.AsDuration() };
            case "max_ack_pending" or "max_pending" or "max_inflight":
                var pending = value.AsLong();
                if (pending is < 0 or > 0xFFFF)
                {
                    throw new ConfigException(entry.KeyPosition, $"invalid value {pending}, should in [0..{0xFFFF}] range");
                }
                return options with { MaxAckPending = (int)pending };
            case "js_domain":
                return options with { JsDomain = value.AsString() };
            case "stream_replicas":
                return options with { StreamReplicas = value.AsInt() };
            case "consumer_replicas":
                // nats-server warns "consumer replicas setting ignored in this server version".
                return options;
            case "consumer_memory_storage":
                return options with { ConsumerMemoryStorage = value.AsBool() };
            case "consumer_inactive_threshold" or "consumer_auto_cleanup":
                return options with { ConsumerInactiveThreshold = value.AsDuration() };
            case "reject_qos2_publish":
                return options with { RejectQos2Publish = value.AsBool() };
            case "downgrade_qos2_subscribe":
                return options with { DowngradeQos2Subscribe = value.AsBool() };
            default:
                if (value.IsUsedAsVariable)
                {
                    return options;
                }
                throw new ConfigException(entry.KeyPosition, $"unknown field \"{entry.Key}\"");
        }
    }

    // nats-server's parseListen: a port alone, or host:port.
    private static MqttOptions Listen(MqttOptions options, ConfEntry entry)
    {
        switch (entry.Value)
        {
            case ConfInteger:
                return options with { Host = "", Port = entry.Value.AsInt() };
            case ConfString text:
                var colon = text.Value.LastIndexOf(':');
                if (colon < 0)
                {
                    throw new ConfigException(entry.KeyPosition, $"could not parse address string \"{text.Value}\"");
                }
                var host = text.Value[..colon].Trim('[', ']');
                var portText = text.Value[(colon + 1)..];
                if (!int.TryParse(portText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port))
                {
                    throw new ConfigException(entry.KeyPosition, $"could not parse port \"{portText}\"");
                }
                return options with { Host = host, Port = port };
            default:
                throw new ConfigException(entry.KeyPosition, $"expected port or host:port, got {GoTypeName(entry.Value)}");
        }
    }

    // nats-server's parseSimpleAuth: user, password, token, timeout.
    private static MqttOptions SimpleAuth(MqttOptions options, ConfValue value)
    {
        foreach (var item in value.AsMap())
        {
            options = item.Key.ToLowerInvariant() switch
            {
                "user" or "username" => options with { Username = item.Value.AsString() },
                "pass" or "password" => options with { Password = item.Value.AsString() },
                "token" => options with { Token = item.Value.AsString() },
                "timeout" => options with { AuthTimeoutSeconds = item.Value is ConfInteger or ConfFloat ? item.Value.AsDouble() : 1 },
                _ when item.Value.IsUsedAsVariable => options,
                _ => throw new ConfigException(item.KeyPosition, $"unknown field \"{item.Key}\""),
            };
        }
        return options;
    }

    /// <summary>nats-server's <c>validateMQTTOptions</c>: the first reason the block cannot run with the server's options, or null.</summary>
    public static string? FindProblem(MqttOptions options, ServerOptions server)
    {
        if (!options.Enabled)
        {
            return null;
        }
        var clustered = server.Cluster.Port != 0 || server.Sections.ContainsKey("gateway");
        // nats-server 2.9 (the reference here) requires the name whenever MQTT runs (2.10+ only when
        // clustered); this plugin needs it too: it names the origin of session and retained records.
        if (string.IsNullOrEmpty(server.ServerName))
        {
            return "mqtt requires server name to be explicitly set";
        }
        var auth = server.Auth;
        if (auth.NoAuthUserProblem(options.NoAuthUser) is { } noAuthUserProblem)
        {
            return noAuthUserProblem;
        }
        if (auth.Users.Count > 0 || auth.NKeys.Count > 0)
        {
            if (options.Username.Length > 0)
            {
                return "mqtt authentication username not compatible with presence of users/nkeys";
            }
            if (options.Token.Length > 0)
            {
                return "mqtt authentication token not compatible with presence of users/nkeys";
            }
        }
        if (options.AckWait < TimeSpan.Zero)
        {
            return "ack wait must be a positive value";
        }
        if (options.JsApiTimeout < TimeSpan.Zero)
        {
            return "JS API timeout must be a positive value";
        }
        if (!JetStreamEnabled(server) && !clustered && !server.Sections.ContainsKey("leafnodes") && !server.Sections.ContainsKey("leaf"))
        {
            return "mqtt requires JetStream to be enabled if running in standalone mode";
        }
        return null;
    }

    /// <summary>Whether the server runs JetStream: <c>-js</c>, or a <c>jetstream</c> block/value that is not off.</summary>
    private static bool JetStreamEnabled(ServerOptions server)
    {
        if (server.Flags.JetStream is { } flag)
        {
            return flag;
        }
        if (!server.Sections.TryGetValue("jetstream", out var section) || section is null)
        {
            return false;
        }
        return section switch
        {
            ConfBool b => b.Value,
            ConfString s => !(s.Value.Equals("disabled", StringComparison.OrdinalIgnoreCase) || s.Value.Equals("false", StringComparison.OrdinalIgnoreCase)),
            ConfMap m => !m.Any(e => e.Key.Equals("enabled", StringComparison.OrdinalIgnoreCase) && e.Value is ConfBool { Value: false }),
            _ => true,
        };
    }

    /// <summary>What Go's <c>%T</c> prints for the value nats-server's parser would hold.</summary>
    internal static string GoTypeName(ConfValue value) => value.Kind switch
    {
        ConfValueKind.String => "string",
        ConfValueKind.Integer => "int64",
        ConfValueKind.Float => "float64",
        ConfValueKind.Bool => "bool",
        ConfValueKind.Map => "map[string]interface {}",
        ConfValueKind.List => "[]interface {}",
        _ => value.Kind.ToString(),
    };
}
