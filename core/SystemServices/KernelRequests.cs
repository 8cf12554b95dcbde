using System.Globalization;
using System.Text.Json;
using Nats.Core.Monitoring;

namespace Nats.Core.SystemServices;

/// <summary>
/// The kernel's <c>$SYS.REQ</c> services (nats-server's <c>initEventTracking</c>): the
/// monitoring pages over NATS, answered from the same endpoints as HTTP, with the request's
/// JSON options turned into the page's query parameters; STATSZ, IDZ and RELOAD.
/// </summary>
internal static class KernelRequests
{
    // For each page: JSON option name → (query parameter, how the value is written).
    private static readonly Dictionary<string, (string Query, Func<JsonElement, string?> Value)> Connz = new(StringComparer.Ordinal)
    {
        ["sort"] = ("sort", Text),
        ["auth"] = ("auth", Flag),
        ["subscriptions"] = ("subs", Flag),
        ["subscriptions_detail"] = ("subs", e => e.ValueKind == JsonValueKind.True ? "detail" : null),
        ["offset"] = ("offset", Number),
        ["limit"] = ("limit", Number),
        ["cid"] = ("cid", Number),
        ["state"] = ("state", e => Number(e) switch { "1" => "closed", "2" => "all", _ => "open" }),
        ["user"] = ("user", Text),
        ["acc"] = ("acc", Text),
        ["filter_subject"] = ("filter_subject", Text),
        ["mqtt_client"] = ("mqtt_client", Text),
    };

    private static readonly Dictionary<string, (string Query, Func<JsonElement, string?> Value)> Subsz = new(StringComparer.Ordinal)
    {
        ["offset"] = ("offset", Number),
        ["limit"] = ("limit", Number),
        ["subscriptions"] = ("subs", Flag),
        ["account"] = ("acc", Text),
        ["test"] = ("test", Text),
    };

    private static readonly Dictionary<string, (string Query, Func<JsonElement, string?> Value)> Healthz = new(StringComparer.Ordinal)
    {
        ["js-enabled"] = ("js-enabled", Flag),
        ["js-enabled-only"] = ("js-enabled-only", Flag),
        ["js-server-only"] = ("js-server-only", Flag),
        ["js-meta-only"] = ("js-meta-only", Flag),
        ["account"] = ("account", Text),
        ["stream"] = ("stream", Text),
        ["consumer"] = ("consumer", Text),
        ["details"] = ("details", Flag),
    };

    private static readonly Dictionary<string, (string Query, Func<JsonElement, string?> Value)> Accountz = new(StringComparer.Ordinal)
    {
        ["account"] = ("acc", Text),
    };

    private static readonly Dictionary<string, (string Query, Func<JsonElement, string?> Value)> Routez = new(StringComparer.Ordinal)
    {
        ["subscriptions"] = ("subs", Flag),
        ["subscriptions_detail"] = ("subs", e => e.ValueKind == JsonValueKind.True ? "detail" : null),
    };

    private static readonly Dictionary<string, (string Query, Func<JsonElement, string?> Value)> None = new(StringComparer.Ordinal);

    public static void Register(NatsServer server, SystemServiceHost services)
    {
        var id = server.ServerId;
        var monitoring = server.Monitoring;
        services.AddServerRequest("VARZ", request => new(Page(monitoring, "/varz", request, None)));
        services.AddServerRequest("CONNZ", request => new(Page(monitoring, "/connz", request, Connz)));
        services.AddServerRequest("SUBSZ", request => new(Page(monitoring, "/subsz", request, Subsz)));
        services.AddServerRequest("HEALTHZ", request => new(Page(monitoring, "/healthz", request, Healthz)));
        services.AddServerRequest("ACCOUNTZ", request => new(Page(monitoring, "/accountz", request, Accountz)));
        // /routez exists once clustered; a server without a cluster answers with no routes, as nats-server.
        services.AddServerRequest("ROUTEZ", request => new(monitoring.Paths.Contains("/routez")
            ? Page(monitoring, "/routez", request, Routez)
            : new Cluster.Routez { ServerId = server.ServerId, ServerName = server.Name, Now = DateTime.UtcNow }));

        // STATSZ answers bare ({"server":…,"statsz":…}); the old $SYS.REQ.SERVER.PING too, and a
        // request without a reply asks for a broadcast on $SYS.SERVER.<id>.STATSZ.
        services.AddRawRequest(
            [SystemServiceHost.ServerPingPrefix, $"{SystemServiceHost.ServerPingPrefix}.STATSZ", $"$SYS.REQ.SERVER.{id}.STATSZ"],
            StatszPublisher.Subject(id),
            _ => new(services.Statsz.Build()));
        services.AddRawRequest(
            [$"{SystemServiceHost.ServerPingPrefix}.IDZ", $"$SYS.REQ.SERVER.{id}.IDZ"],
            null,
            _ => new(new ServerIdentity { Name = server.Name, Host = server.Options.Host, Id = id }));
        // Reload only by id: a PING-wide reload of every server is not offered (as nats-server).
        services.AddWrappedRequest([$"$SYS.REQ.SERVER.{id}.RELOAD"], null, _ => ReloadAsync(server));

        services.AddAccountRequest("CONNZ", request => new(Page(monitoring, "/connz", request, Connz, ("acc", request.Account))));
        services.AddAccountRequest("SUBSZ", request => new(Page(monitoring, "/subsz", request, Subsz, ("acc", request.Account), ("subs", "1"))));
        services.AddAccountRequest("STATZ", request => new(AccountStatz(server, request)));
        services.AddRawRequest([$"$SYS.REQ.ACCOUNT.*.CONNS"], null, request => new(AccountConns(services, request.Subject)));
        AccountPageRequests.Register(server, services);
        UserInfoRequest.Register(services);
    }

    private static async ValueTask<object?> ReloadAsync(NatsServer server)
    {
        var result = await server.ReloadConfigurationAsync().ConfigureAwait(false);
        if (!result.Success)
        {
            throw new SystemRequestException(string.Join("; ", result.Errors), 500);
        }
        return null;
    }

    /// <summary>A monitoring page's body; a page that refuses the options answers an error.</summary>
    private static object? Page(MonitoringServer monitoring, string path, SystemRequest request,
        Dictionary<string, (string Query, Func<JsonElement, string?> Value)> map, params (string Key, string? Value)[] fixedQuery)
    {
        var query = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in fixedQuery)
        {
            if (value is not null)
            {
                query.Add(new(key, value));
            }
        }
        if (!request.Payload.IsEmpty)
        {
            AddOptions(request.Payload.Span, map, query);
        }
        var response = monitoring.Invoke(path, query);
        if (!response.IsJson)
        {
            throw new SystemRequestException(response.Body.ToString()!.Trim(), response.Status);
        }
        return response.Body;
    }

    private static void AddOptions(ReadOnlySpan<byte> json, Dictionary<string, (string Query, Func<JsonElement, string?> Value)> map, List<KeyValuePair<string, string>> query)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!map.TryGetValue(property.Name, out var target))
            {
                continue;
            }
            try
            {
                // Fixed parameters (the account of an account request) win: the first value counts.
                if (target.Value(property.Value) is { } value && !query.Any(q => q.Key == target.Query))
                {
                    query.Add(new(target.Query, value));
                }
            }
            catch (InvalidOperationException)
            {
                throw new SystemRequestException($"json: cannot unmarshal {property.Value.ValueKind.ToString().ToLowerInvariant()} into Go struct field of type for \"{property.Name}\"", 400);
            }
        }
    }

    private static object? AccountStatz(NatsServer server, SystemRequest request)
    {
        if (request.Account is null or "PING")
        {
            return SystemRequest.NoAnswer;
        }
        var includeUnused = false;
        if (!request.Payload.IsEmpty)
        {
            using var document = JsonDocument.Parse(request.Payload);
            includeUnused = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("include_unused", out var unused) && unused.ValueKind == JsonValueKind.True;
        }
        var statz = AccountStatzEndpoint.Build(server, includeUnused);
        statz.Accounts = [.. statz.Accounts.Where(a => a.Account == request.Account)];
        // An account with no connections here is left out, and then nothing is answered.
        return statz.Accounts.Count == 0 ? SystemRequest.NoAnswer : statz;
    }

    private static object? AccountConns(SystemServiceHost services, string subject)
    {
        var tokens = subject.Split('.');
        return tokens.Length == 5 && services.Events.AccountConnections(tokens[3]) is { } message ? message : null;
    }

    private static string? Text(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();

    private static string? Flag(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False or JsonValueKind.Null => null,
        _ => throw new InvalidOperationException(),
    };

    private static string? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetInt64().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.Null => null,
        _ => throw new InvalidOperationException(),
    };
}
