using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Core.Tests.Monitoring;

/// <summary>An in-process server with the client and monitoring listeners on random loopback ports.</summary>
internal sealed class MonitoringFixture : IAsyncDisposable
{
    private readonly List<RawClient> _clients = [];

    private MonitoringFixture(NatsServer server, HttpClient http)
    {
        Server = server;
        Http = http;
    }

    public NatsServer Server { get; }

    private HttpClient Http { get; }

    /// <summary>
    /// Subscriptions the server holds itself: the $SYS services' internal client in the system
    /// account (with its own USER.INFO import), and the 4 system imports in every other account (core/SystemServices/SystemImports.cs),
    /// counted in /varz and /subsz as nats-server counts its own.
    /// </summary>
    public uint InternalSubscriptions => (uint)(Server.Accounts.System?.Sublist.Count ?? 0)
        + ((uint)Server.Accounts.All.Count(a => !a.IsSystem) * SystemImportsPerAccount);

    /// <summary>The system imports each non-system account gets: ACCOUNT.PING.CONNZ, SERVER.PING.CONNZ, ACCOUNT.PING.STATZ, USER.INFO.</summary>
    public const uint SystemImportsPerAccount = 4;

    public static async Task<MonitoringFixture> StartAsync(CancellationToken cancellationToken, Action<ServerOptions>? configure = null)
    {
        var options = new ServerOptions { Host = "127.0.0.1", Port = -1 };
        options.Monitoring.Port = -1;
        configure?.Invoke(options);
        var server = new NatsServer(options);
        await server.StartAsync(cancellationToken);
        var http = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{server.Monitoring.Port}"),
            // Bounded by the test's own cancellation (every call takes it), not a per-request
            // 5 s: a fresh server's first request JIT-compiles the endpoint, which on a machine
            // loaded by parallel builds and test runs took longer than that.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new MonitoringFixture(server, http);
    }

    /// <summary>A client that sent CONNECT and <paramref name="protocol"/>, all processed.</summary>
    public async Task<RawClient> ConnectAsync(string protocol, CancellationToken cancellationToken, string connectJson = """{"verbose":false,"pedantic":false,"name":"test","lang":"raw","version":"1.0"}""")
    {
        var client = await RawClient.ConnectAsync(Server.Port);
        _clients.Add(client);
        await client.SendAsync($"CONNECT {connectJson}\r\n{protocol}", cancellationToken);
        await client.FlushAsync(cancellationToken);
        return client;
    }

    public async Task<JsonObject> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(path, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        return JsonNode.Parse(body)!.AsObject();
    }

    public async Task<(HttpStatusCode Status, string Body, string? ContentType)> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(path, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the JSON at <paramref name="path"/> (state that settles asynchronously, like a close).</summary>
    public async Task<JsonObject> WaitForJsonAsync(string path, Func<JsonObject, bool> condition, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var json = await GetJsonAsync(path, cancellationToken);
            if (condition(json))
            {
                return json;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{path} did not reach the expected state: {json.ToJsonString(new JsonSerializerOptions { WriteIndented = true })}");
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
