using System.Text.Json;

namespace Nats.Core.SystemServices;

/// <summary>
/// The server filter every <c>$SYS.REQ</c> body may carry (nats-server's
/// <c>EventFilterOptions</c>): <c>server_name</c>, <c>cluster</c>, <c>host</c> (substring
/// matches unless <c>exact_match</c>), <c>tags</c> (all must be present) and <c>domain</c>.
/// A server the filter does not select stays silent.
/// </summary>
internal sealed class EventFilter
{
    private string? _name;
    private string? _cluster;
    private string? _host;
    private bool _exact;
    private List<string>? _tags;
    private string? _domain;

    /// <summary>Reads the filter fields of a request body; other fields are the handler's.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out EventFilter filter, out string? error)
    {
        filter = new EventFilter();
        error = null;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"json: cannot unmarshal {GoKind(document.RootElement.ValueKind)} into Go value of type server.EventFilterOptions";
                return false;
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "server_name":
                        filter._name = String(property);
                        break;
                    case "cluster":
                        filter._cluster = String(property);
                        break;
                    case "host":
                        filter._host = String(property);
                        break;
                    case "domain":
                        filter._domain = String(property);
                        break;
                    case "exact_match":
                        filter._exact = property.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False or JsonValueKind.Null => false,
                            var kind => throw new FormatException(Mismatch(kind, property.Name, "bool")),
                        };
                        break;
                    case "tags":
                        if (property.Value.ValueKind == JsonValueKind.Array)
                        {
                            filter._tags = [.. property.Value.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String
                                ? t.GetString()!
                                : throw new FormatException(Mismatch(t.ValueKind, "tags", "string")))];
                        }
                        else if (property.Value.ValueKind != JsonValueKind.Null)
                        {
                            throw new FormatException(Mismatch(property.Value.ValueKind, "tags", "[]string"));
                        }
                        break;
                }
            }
            return true;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return false;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>True when the request is meant for this server (nats-server's <c>filterRequest</c>, inverted).</summary>
    public bool Matches(NatsServer server, SystemServiceHost services)
    {
        var name = server.Name;
        var host = server.Options.Host;
        var cluster = server.Info.Cluster ?? "";
        if (_exact)
        {
            if ((_name is { Length: > 0 } && _name != name) || (_host is { Length: > 0 } && _host != host) || (_cluster is { Length: > 0 } && _cluster != cluster))
            {
                return false;
            }
        }
        else if ((_name is { Length: > 0 } && !name.Contains(_name, StringComparison.Ordinal))
            || (_host is { Length: > 0 } && !host.Contains(_host, StringComparison.Ordinal))
            || (_cluster is { Length: > 0 } && !cluster.Contains(_cluster, StringComparison.Ordinal)))
        {
            return false;
        }
        if (_tags is { Count: > 0 } && !_tags.All(server.Options.Tags.Contains))
        {
            return false;
        }
        return _domain is not { Length: > 0 } || _domain == services.Domain;
    }

    private static string? String(JsonProperty property) => property.Value.ValueKind switch
    {
        JsonValueKind.String => property.Value.GetString(),
        JsonValueKind.Null => null,
        var kind => throw new FormatException(Mismatch(kind, property.Name, "string")),
    };

    private static string Mismatch(JsonValueKind kind, string field, string type) =>
        $"json: cannot unmarshal {GoKind(kind)} into Go struct field EventFilterOptions.{field} of type {type}";

    private static string GoKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };
}
