using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Connections;

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
            throw new ConfigException(section.Position, $"Expected mqtt to be a map, got {GoText.TypeName(section)}");
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
                return options with { Auth = options.Auth.WithBlock(value) };
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
    private static MqttOptions Listen(MqttOptions options, ConfEntry entry) =>
        HostPort.TryParse(entry.Value, out var listen, out var error)
            ? options with { Host = listen.Host, Port = listen.Port }
            : throw new ConfigException(entry.KeyPosition, error!);

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
        if (options.Auth.FindProblem(server.Auth, "mqtt") is { } authProblem)
        {
            return authProblem;
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
}
