using System.Text.Json;
using Nats.Core.Cluster;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// Adds a field to the INFO this server sends on its routes (nats-server's
    /// <c>gateway_url</c>), or removes it (<paramref name="value"/> null). Connected peers get a
    /// fresh INFO; peers of this project see later changes through
    /// <see cref="IRouteInfoHandler.OnPeerInfo"/>, but nats-server reads such fields only from a
    /// route's first INFO, so a plugin sets them before routes connect (it starts before clients,
    /// see <see cref="Plugins.IStartsBeforeClients"/>). Unlike <see cref="AdvertiseUrls"/>, the
    /// field is sent even with <c>cluster { no_advertise }</c>.
    /// </summary>
    /// <param name="name">The JSON field name; not one the kernel writes itself (<c>server_id</c>, <c>connect_urls</c>, …).</param>
    /// <param name="value">Its value, or null to stop sending it.</param>
    /// <exception cref="ArgumentException">The kernel owns <paramref name="name"/>.</exception>
    /// <example><code>server.SetRouteInfoField("gateway_url", "10.0.0.5:7222");</code></example>
    public void SetRouteInfoField(string name, JsonElement? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (RouteInfo.IsKernelField(name))
        {
            throw new ArgumentException($"route INFO field \"{name}\" belongs to the kernel", nameof(name));
        }
        lock (_routeInfoFields)
        {
            if (value is { } set)
            {
                if (_routeInfoFields.TryGetValue(name, out var current) && current.GetRawText() == set.GetRawText())
                {
                    return;
                }
                _routeInfoFields[name] = set.Clone();
            }
            else if (!_routeInfoFields.Remove(name))
            {
                return;
            }
        }
        _routes?.AnnounceInfo();
    }

    /// <summary>A string field of the route INFO (see <see cref="SetRouteInfoField(string, JsonElement?)"/>).</summary>
    public void SetRouteInfoField(string name, string? value) =>
        SetRouteInfoField(name, value is null ? null : JsonSerializer.SerializeToElement(value, Cluster.RouteJsonContext.Default.String));

    /// <summary>
    /// Registers a handler of peers' route INFO (see <see cref="IRouteInfoHandler"/>). Peers
    /// registered before the handler are replayed to it as first INFOs, so a plugin that starts
    /// late still learns every peer (a peer registering meanwhile may come twice: handlers are idempotent).
    /// </summary>
    public void AddRouteInfoHandler(IRouteInfoHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_routeInfoFields)
        {
            _routeInfoHandlers = [.. _routeInfoHandlers, handler];
        }
        foreach (var route in _routes?.Routes ?? [])
        {
            if (route.RemoteInfo is { } info)
            {
                handler.OnPeerInfo(info, first: true);
            }
        }
    }

    /// <summary>
    /// Sends <c>INFO {json}</c> on the route to <paramref name="serverId"/>, or on every route
    /// when it is null (nats-server's gateway gossip inside a cluster). The JSON's
    /// <c>server_id</c> must not be this server's or a peer's own (peers would take it for an
    /// INFO about that server): nats-server uses <c>"GW"+id</c>. Only queues; any thread.
    /// </summary>
    /// <param name="json">A JSON object.</param>
    /// <param name="serverId">The peer to send to, or null for all.</param>
    /// <returns>How many routes it was queued on.</returns>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not a JSON object.</exception>
    public int SendRouteInfo(ReadOnlySpan<byte> json, string? serverId = null)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.TrySkip() || reader.Read())
        {
            throw new ArgumentException("route INFO must be one JSON object", nameof(json));
        }
        if (_routes is null)
        {
            return 0;
        }
        var line = new byte[json.Length + 7];
        "INFO "u8.CopyTo(line);
        json.CopyTo(line.AsSpan(5));
        "\r\n"u8.CopyTo(line.AsSpan(5 + json.Length));
        var sent = 0;
        foreach (var route in _routes.Routes)
        {
            if (serverId is null || route.RemoteId == serverId)
            {
                route.Send(line);
                sent++;
            }
        }
        return sent;
    }

    /// <summary>Plugin fields for our route INFO; null when none.</summary>
    internal Dictionary<string, JsonElement>? RouteInfoFields()
    {
        lock (_routeInfoFields)
        {
            return _routeInfoFields.Count == 0 ? null : new Dictionary<string, JsonElement>(_routeInfoFields, StringComparer.Ordinal);
        }
    }

    internal void OnRoutePeerInfo(RouteInfo info, bool first)
    {
        foreach (var handler in _routeInfoHandlers)
        {
            handler.OnPeerInfo(info, first);
        }
    }

    internal void OnRoutePeerGone(string serverId)
    {
        foreach (var handler in _routeInfoHandlers)
        {
            handler.OnPeerGone(serverId);
        }
    }

    /// <summary>True when a handler took an INFO that is not about the route's peer.</summary>
    internal bool OnRouteOtherInfo(string fromServerId, RouteInfo info)
    {
        var handled = false;
        foreach (var handler in _routeInfoHandlers)
        {
            handled |= handler.OnOtherInfo(fromServerId, info);
        }
        return handled;
    }
}
