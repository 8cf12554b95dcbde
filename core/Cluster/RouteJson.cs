using System.Text.Json;

namespace Nats.Core.Cluster;

/// <summary>
/// Route INFO and CONNECT to and from JSON, written out by hand: the same text the source
/// generated serializer (<see cref="RouteJsonContext"/>) produces and accepts, without its
/// first-use cost. The first route of a joining server was paying some 25 ms of CPU (50 ms and
/// more of wall time on a busy machine) to build the serializer's metadata for these two types,
/// in the middle of the handshake that decides how soon the cluster's clients learn the new
/// member. Field order, omitted defaults (false, 0, null), case-insensitive names on input and
/// the extension data of <see cref="RouteInfo.AdvertisedFields"/> are the serializer's.
/// </summary>
internal static class RouteJson
{
    public static void Write(Utf8JsonWriter json, RouteInfo info)
    {
        json.WriteStartObject();
        json.WriteString("server_id", info.ServerId);
        String(json, "server_name", info.ServerName);
        String(json, "version", info.Version);
        Number(json, "proto", info.Proto);
        String(json, "go", info.Go);
        String(json, "host", info.Host);
        Number(json, "port", info.Port);
        True(json, "headers", info.Headers);
        True(json, "auth_required", info.AuthRequired);
        True(json, "tls_required", info.TlsRequired);
        True(json, "tls_verify", info.TlsVerify);
        Number(json, "max_payload", info.MaxPayload);
        True(json, "jetstream", info.JetStream);
        String(json, "ip", info.Ip);
        String(json, "nonce", info.Nonce);
        String(json, "cluster", info.Cluster);
        True(json, "cluster_dynamic", info.ClusterDynamic);
        String(json, "domain", info.Domain);
        List(json, "connect_urls", info.ConnectUrls);
        True(json, "ldm", info.LameDuckMode);
        True(json, "lnoc", info.LeafNodeOriginCluster);
        if (info.AdvertisedFields is { } fields)
        {
            foreach (var (name, value) in fields)
            {
                json.WritePropertyName(name);
                value.WriteTo(json);
            }
        }
        json.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter json, RouteConnect connect)
    {
        json.WriteStartObject();
        True(json, "echo", connect.Echo);
        True(json, "verbose", connect.Verbose);
        True(json, "pedantic", connect.Pedantic);
        String(json, "user", connect.User);
        String(json, "pass", connect.Pass);
        True(json, "tls_required", connect.TlsRequired);
        True(json, "headers", connect.Headers);
        json.WriteString("name", connect.Name);
        String(json, "cluster", connect.Cluster);
        True(json, "cluster_dynamic", connect.ClusterDynamic);
        String(json, "lang", connect.Lang);
        String(json, "gateway", connect.Gateway);
        json.WriteEndObject();
    }

    /// <exception cref="JsonException">Not a JSON object.</exception>
    /// <exception cref="InvalidOperationException">A known field has the wrong type.</exception>
    /// <exception cref="FormatException">A number does not fit its field.</exception>
    public static RouteInfo ReadInfo(ReadOnlySpan<byte> utf8)
    {
        var json = new Utf8JsonReader(utf8);
        var info = new RouteInfo();
        Begin(ref json);
        while (NextProperty(ref json, out var name))
        {
            switch (name.ToLowerInvariant())
            {
                case "server_id": info.ServerId = json.GetString()!; break;
                case "server_name": info.ServerName = json.GetString(); break;
                case "version": info.Version = json.GetString(); break;
                case "proto": info.Proto = json.GetInt32(); break;
                case "go": info.Go = json.GetString(); break;
                case "host": info.Host = json.GetString(); break;
                case "port": info.Port = json.GetInt32(); break;
                case "headers": info.Headers = json.GetBoolean(); break;
                case "auth_required": info.AuthRequired = json.GetBoolean(); break;
                case "tls_required": info.TlsRequired = json.GetBoolean(); break;
                case "tls_verify": info.TlsVerify = json.GetBoolean(); break;
                case "max_payload": info.MaxPayload = json.GetInt64(); break;
                case "jetstream": info.JetStream = json.GetBoolean(); break;
                case "ip": info.Ip = json.GetString(); break;
                case "nonce": info.Nonce = json.GetString(); break;
                case "cluster": info.Cluster = json.GetString(); break;
                case "cluster_dynamic": info.ClusterDynamic = json.GetBoolean(); break;
                case "domain": info.Domain = json.GetString(); break;
                case "connect_urls": info.ConnectUrls = ReadList(ref json); break;
                case "ldm": info.LameDuckMode = json.GetBoolean(); break;
                case "lnoc": info.LeafNodeOriginCluster = json.GetBoolean(); break;
                default:
                    (info.AdvertisedFields ??= [])[name] = JsonElement.ParseValue(ref json);
                    break;
            }
        }
        return info;
    }

    /// <exception cref="JsonException">Not a JSON object.</exception>
    /// <exception cref="InvalidOperationException">A known field has the wrong type.</exception>
    public static RouteConnect ReadConnect(ReadOnlySpan<byte> utf8)
    {
        var json = new Utf8JsonReader(utf8);
        var connect = new RouteConnect();
        Begin(ref json);
        while (NextProperty(ref json, out var name))
        {
            switch (name.ToLowerInvariant())
            {
                case "echo": connect.Echo = json.GetBoolean(); break;
                case "verbose": connect.Verbose = json.GetBoolean(); break;
                case "pedantic": connect.Pedantic = json.GetBoolean(); break;
                case "user": connect.User = json.GetString(); break;
                case "pass": connect.Pass = json.GetString(); break;
                case "tls_required": connect.TlsRequired = json.GetBoolean(); break;
                case "headers": connect.Headers = json.GetBoolean(); break;
                case "name": connect.Name = json.GetString()!; break;
                case "cluster": connect.Cluster = json.GetString(); break;
                case "cluster_dynamic": connect.ClusterDynamic = json.GetBoolean(); break;
                case "lang": connect.Lang = json.GetString(); break;
                case "gateway": connect.Gateway = json.GetString(); break;
                default: json.Skip(); break;
            }
        }
        return connect;
    }

    private static void Begin(ref Utf8JsonReader json)
    {
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object");
        }
    }

    // Moves to the next property of the top-level object and onto its value; false at its end,
    // which must also be the end of the input.
    private static bool NextProperty(ref Utf8JsonReader json, out string name)
    {
        if (!json.Read())
        {
            throw new JsonException("unterminated JSON object");
        }
        if (json.TokenType == JsonTokenType.EndObject)
        {
            if (json.Read())
            {
                throw new JsonException("content after the JSON object");
            }
            name = "";
            return false;
        }
        name = json.GetString()!;
        if (!json.Read())
        {
            throw new JsonException("a property without a value");
        }
        return true;
    }

    private static List<string>? ReadList(ref Utf8JsonReader json)
    {
        if (json.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (json.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("expected an array of strings");
        }
        var list = new List<string>();
        while (json.Read() && json.TokenType != JsonTokenType.EndArray)
        {
            list.Add(json.GetString()!);
        }
        return list;
    }

    private static void String(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void Number(Utf8JsonWriter json, string name, long value)
    {
        if (value != 0)
        {
            json.WriteNumber(name, value);
        }
    }

    private static void True(Utf8JsonWriter json, string name, bool value)
    {
        if (value)
        {
            json.WriteBoolean(name, true);
        }
    }

    private static void List(Utf8JsonWriter json, string name, List<string>? values)
    {
        if (values is null)
        {
            return;
        }
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }
}
