using System.Text.Json;
using Nats.Core.Connections;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// Advertises this server's URLs for a plugin's listener under a route INFO field (as
    /// nats-server carries <c>ws_connect_urls</c>): the field goes to every route (unless
    /// <c>cluster { no_advertise }</c>), peers' values for it are collected, and clients of a
    /// listener that names the field (<see cref="ClientListenerOptions.ConnectUrlsField"/>) get
    /// the cluster's list as their <c>connect_urls</c>, updated by asynchronous INFO as servers
    /// come and go, so they can fail over.
    /// </summary>
    /// <param name="infoField">The JSON field name in route INFO (not a field the kernel writes itself).</param>
    /// <param name="ownUrls">This server's <c>host:port</c> URLs for the listener (its advertise address, else its interfaces).</param>
    /// <remarks>
    /// Routes already connected get a fresh INFO carrying the field (a plugin's listener binds
    /// after the cluster port). Servers of this project take it; nats-server reads the field only
    /// from a route's first INFO, so a plugin whose port is configured advertises from its
    /// Configure step, before routes start. Advertising the same URLs again changes nothing.
    /// </remarks>
    /// <example>
    /// <code>
    /// server.AdvertiseUrls("ws_connect_urls", ["10.0.0.5:8080"]);
    /// var listener = new ClientListenerOptions { ConnectUrlsField = "ws_connect_urls" };
    /// </code>
    /// </example>
    public void AdvertiseUrls(string infoField, IReadOnlyList<string> ownUrls)
    {
        ArgumentException.ThrowIfNullOrEmpty(infoField);
        ArgumentNullException.ThrowIfNull(ownUrls);
        HashSet<string> changed;
        lock (_advertisedLock)
        {
            if (_ownAdvertised.TryGetValue(infoField, out var current) && current.SequenceEqual(ownUrls))
            {
                return;
            }
            _ownAdvertised[infoField] = [.. ownUrls];
            changed = RebuildAdvertisedViews();
        }
        TellClientsOf(changed);
        _routes?.AnnounceInfo();
    }

    /// <summary>
    /// The cluster's URLs for an advertised field (<see cref="AdvertiseUrls"/>), as its clients
    /// get them in <c>connect_urls</c>: empty until a peer advertised the field, then this
    /// server's own first, then its peers'.
    /// </summary>
    public IReadOnlyList<string> GetAdvertisedUrls(string infoField) =>
        _advertisedViews.TryGetValue(infoField, out var urls) ? urls : [];

    /// <summary>
    /// Every URL known for an advertised field: this server's own first, then its peers'.
    /// Unlike <see cref="GetAdvertisedUrls"/> (what clients get), never empty while this server
    /// advertises the field: for INFO sent over links, as nats-server's leaf INFO carries its
    /// <c>ws_connect_urls</c> so a WebSocket leaf can fail over to another server.
    /// </summary>
    /// <param name="infoField">The field (<c>ws_connect_urls</c>).</param>
    public IReadOnlyList<string> GetAllAdvertisedUrls(string infoField)
    {
        lock (_advertisedLock)
        {
            var own = _ownAdvertised.GetValueOrDefault(infoField) ?? [];
            var peers = _peerAdvertised.Values.SelectMany(p => p.GetValueOrDefault(infoField) ?? []).Where(u => !own.Contains(u));
            return [.. own, .. peers.Distinct(StringComparer.Ordinal)];
        }
    }

    /// <summary>This server's own advertised fields, for its route INFO.</summary>
    internal Dictionary<string, JsonElement>? OwnAdvertisedFields()
    {
        lock (_advertisedLock)
        {
            if (_ownAdvertised.Count == 0)
            {
                return null;
            }
            return _ownAdvertised.ToDictionary(
                field => field.Key,
                field => ToJsonArray(field.Value),
                StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// A peer's route INFO arrived (its first, or a later one about itself): its advertised
    /// fields replace what it advertised before. Fields are kept whether or not a plugin here
    /// advertises them yet (the plugin may start after the route).
    /// </summary>
    internal void OnPeerAdvertised(string peerId, IReadOnlyDictionary<string, JsonElement>? fields)
    {
        var urls = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in fields ?? new Dictionary<string, JsonElement>())
        {
            if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            {
                urls[name] = [.. value.EnumerateArray().Select(e => e.GetString()!)];
            }
        }
        ChangePeerAdvertised(peerId, urls.Count == 0 ? null : urls);
    }

    /// <summary>The peer left (route closed) or entered lame duck mode: withdraw what it advertised.</summary>
    internal void WithdrawPeerAdvertised(string peerId) => ChangePeerAdvertised(peerId, null);

    private void ChangePeerAdvertised(string peerId, Dictionary<string, IReadOnlyList<string>>? urls)
    {
        if (!AnnouncesClusterChanges)
        {
            return;
        }
        HashSet<string> changed;
        lock (_advertisedLock)
        {
            if (urls is not null)
            {
                _peerAdvertised[peerId] = urls;
            }
            else if (!_peerAdvertised.Remove(peerId))
            {
                return;
            }
            changed = RebuildAdvertisedViews();
        }
        TellClientsOf(changed);
    }

    /// <summary>Asynchronous INFO to the clients of listeners whose advertised field changed.</summary>
    private void TellClientsOf(HashSet<string> changedFields)
    {
        if (changedFields.Count == 0)
        {
            return;
        }
        // A client between CONNECT and its first PONG catches up from this stamp.
        Interlocked.Exchange(ref _connectUrlsUpdated, DateTime.UtcNow.Ticks);
        foreach (var client in _clients.Values)
        {
            if (client.Listener.ConnectUrlsField is { } field && changedFields.Contains(field))
            {
                client.SendInfoUpdate();
            }
        }
        AdvertisedUrlsChanged?.Invoke(changedFields);
    }

    private static JsonElement ToJsonArray(IReadOnlyList<string> urls)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var url in urls)
            {
                json.WriteStringValue(url);
            }
            json.WriteEndArray();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Recomputes every field's list; returns the fields whose list changed. Under the lock.</summary>
    private HashSet<string> RebuildAdvertisedViews()
    {
        var old = _advertisedViews;
        var views = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var fields = _ownAdvertised.Keys.Concat(_peerAdvertised.Values.SelectMany(p => p.Keys)).Concat(old.Keys).ToHashSet(StringComparer.Ordinal);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var own = _ownAdvertised.GetValueOrDefault(field) ?? [];
            var peers = _peerAdvertised.Values.SelectMany(p => p.GetValueOrDefault(field) ?? []).Distinct(StringComparer.Ordinal).Where(u => !own.Contains(u)).ToList();
            var previous = old.GetValueOrDefault(field) ?? [];
            // As nats-server: nothing until a peer advertised the field; once it has, own URLs
            // stay listed even after every peer left.
            IReadOnlyList<string> view = peers.Count == 0 && previous.Count == 0 ? [] : [.. own, .. peers];
            if (view.Count > 0)
            {
                views[field] = view;
            }
            if (!view.SequenceEqual(previous))
            {
                changed.Add(field);
            }
        }
        _advertisedViews = views;
        return changed;
    }
}
