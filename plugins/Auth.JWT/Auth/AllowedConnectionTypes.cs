namespace Nats.AuthJwt.Auth;

/// <summary>jwt's connection type names and nats-server's <c>convertAllowedConnectionTypes</c>.</summary>
public static class AllowedConnectionTypes
{
    /// <summary>A client on the client port.</summary>
    public const string Standard = "STANDARD";

    /// <summary>A client on the websocket port.</summary>
    public const string WebSocket = "WEBSOCKET";

    /// <summary>A leafnode connection.</summary>
    public const string Leafnode = "LEAFNODE";

    /// <summary>A leafnode connection over websocket.</summary>
    public const string LeafnodeWebSocket = "LEAFNODE_WS";

    /// <summary>An MQTT client.</summary>
    public const string Mqtt = "MQTT";

    /// <summary>An MQTT client over websocket.</summary>
    public const string MqttWebSocket = "MQTT_WS";

    /// <summary>A connection made inside the server process (nats-server's in-process clients).</summary>
    public const string InProcess = "IN_PROCESS";

    private static readonly HashSet<string> Known = [Standard, WebSocket, Leafnode, LeafnodeWebSocket, Mqtt, MqttWebSocket, InProcess];

    /// <summary>The known types among <paramref name="types"/> (upper-cased); <paramref name="unknown"/> names the others.</summary>
    public static HashSet<string> Convert(IEnumerable<string>? types, out List<string> unknown)
    {
        unknown = [];
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in types ?? [])
        {
            var upper = type.ToUpperInvariant();
            if (Known.Contains(upper))
            {
                known.Add(upper);
            }
            else
            {
                unknown.Add(upper);
            }
        }
        return known;
    }

    /// <summary>nats-server <c>connectionTypeAllowed</c>: an empty set allows every type.</summary>
    public static bool Allows(IReadOnlySet<string> allowed, string connectionType) =>
        allowed.Count == 0 || allowed.Contains(connectionType);
}
