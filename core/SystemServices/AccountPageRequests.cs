using System.Text.Json;
using Nats.Core.Monitoring;

namespace Nats.Core.SystemServices;

/// <summary>
/// nats-server's account-scoped monitoring requests beyond CONNZ/SUBSZ/STATZ (events.go
/// <c>monAccSrvc</c>): <c>$SYS.REQ.ACCOUNT.&lt;acc&gt;.LEAFZ</c> (its leaf connections) and <c>.JSZ</c> (its JetStream detail), each in the
/// usual <c>{"server","data"|"error"}</c> envelope. Pages that plugins serve (<c>/leafz</c>,
/// <c>/jsz</c>) are looked up at request time, since plugins register them after the kernel.
/// </summary>
internal static class AccountPageRequests
{
    public static void Register(NatsServer server, SystemServiceHost services)
    {
        var monitoring = server.Monitoring;
        services.AddAccountRequest("INFO", request => new(Info(server, request)));
        services.AddAccountRequest("LEAFZ", request => new(Leafz(server, monitoring, request)));
        services.AddAccountRequest("JSZ", request => new(Jsz(monitoring, request)));
    }

    /// <summary>nats-server's <c>accountInfo</c>: <c>/accountz?acc=</c>'s <c>account_detail</c>, or a typed nil and the error.</summary>
    private static AccountInfo? Info(NatsServer server, SystemRequest request)
    {
        try
        {
            return AccountzEndpoint.Build(server, request.Account).Account;
        }
        catch (MonitoringException e)
        {
            throw new SystemRequestException(e.Message) { NullData = true };
        }
    }

    /// <summary>Without the leafnode plugin a server has no leafs: nats-server's empty <c>Leafz</c>.</summary>
    private static object? Leafz(NatsServer server, MonitoringServer monitoring, SystemRequest request)
    {
        if (!monitoring.Paths.Contains("/leafz"))
        {
            return new EmptyLeafz(server.ServerId, DateTime.UtcNow);
        }
        var query = new List<KeyValuePair<string, string>> { new("acc", request.Account ?? "") };
        if (Flag(request.Payload, "subscriptions"))
        {
            query.Add(new("subs", "1"));
        }
        return Body(monitoring.Invoke("/leafz", query));
    }

    /// <summary>nats-server's <c>JszAccount</c>: the account's <c>AccountDetail</c>, or why there is none.</summary>
    private static object? Jsz(MonitoringServer monitoring, SystemRequest request)
    {
        if (!monitoring.Paths.Contains("/jsz"))
        {
            throw new SystemRequestException("jetstream not enabled") { NullData = true };
        }
        var query = new List<KeyValuePair<string, string>> { new("acc", request.Account ?? ""), new("accounts", "true") };
        foreach (var flag in (ReadOnlySpan<string>)["streams", "consumer", "config"])
        {
            if (Flag(request.Payload, flag))
            {
                query.Add(new(flag == "consumer" ? "consumers" : flag, "true"));
            }
        }
        var body = Body(monitoring.Invoke("/jsz", query));
        using var document = JsonDocument.Parse(SystemServiceHost.Serialize(body!));
        if (!document.RootElement.TryGetProperty("account_details", out var details) || details.GetArrayLength() == 0)
        {
            throw new SystemRequestException($"account \"{request.Account}\" not jetstream enabled") { NullData = true };
        }
        return details[0].Clone();
    }

    private static object? Body(MonitoringResponse response) =>
        response.IsJson ? response.Body : throw new SystemRequestException(response.Body.ToString()!.Trim(), response.Status);

    private static bool Flag(ReadOnlyMemory<byte> payload, string name)
    {
        if (payload.IsEmpty)
        {
            return false;
        }
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
    }

    // Internal, not private: KernelMonitoringJsonContext describes it.
    internal sealed record EmptyLeafz(
        [property: System.Text.Json.Serialization.JsonPropertyName("server_id")] string ServerId,
        [property: System.Text.Json.Serialization.JsonPropertyName("now")] DateTime Now)
    {
        [System.Text.Json.Serialization.JsonPropertyName("leafnodes")] public int Leafnodes => 0;

        [System.Text.Json.Serialization.JsonPropertyName("leafs")] public object[] Leafs => [];
    }
}
