using System.Text.Json;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>Debian's nats-server 2.9.10 with a client port, a monitoring port and, when asked, a leaf port.</summary>
public sealed class GoServer : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly ReferenceServer _process;

    private GoServer(ReferenceServer process, int port, int httpPort, int leafPort, int webSocketPort)
    {
        _process = process;
        Port = port;
        HttpPort = httpPort;
        LeafPort = leafPort;
        WebSocketPort = webSocketPort;
    }

    /// <summary>The port {WS_PORT} stood for in the config.</summary>
    public int WebSocketPort { get; }

    public int Port { get; }

    public int HttpPort { get; }

    public int LeafPort { get; }

    /// <summary>Starts nats-server with <paramref name="body"/>; {LEAF_PORT} and {WS_PORT} in it are replaced by free ports.</summary>
    public static async Task<GoServer> StartAsync(string body)
    {
        if (ReferenceServer.FindBinary() is null)
        {
            Assert.Ignore("nats-server is not installed (./test.sh installs it)");
        }
        var ports = FreePorts.Take(4);
        var config = $"""
            listen: "127.0.0.1:{ports[0]}"
            http: "127.0.0.1:{ports[1]}"
            {body.Replace("{LEAF_PORT}", ports[2].ToString()).Replace("{WS_PORT}", ports[3].ToString())}
            """;
        var process = await ReferenceServer.StartAsync(config, ports[0]);
        return new GoServer(process, ports[0], ports[1], ports[2], ports[3]);
    }

    public Task<RawClient> ClientAsync(string connect = RawClient.QuietConnect) => RawClient.ConnectAndHandshakeAsync(Port, connect);

    /// <summary>/leafz?subs=1.</summary>
    public async Task<JsonElement> LeafzAsync()
    {
        var body = await Http.GetStringAsync($"http://127.0.0.1:{HttpPort}/leafz?subs=1");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Number of leaf connections the Go server has.</summary>
    public async Task<int> LeafCountAsync() => (await LeafzAsync()).GetProperty("leafnodes").GetInt32();

    /// <summary>True when one of its leaf connections (in <paramref name="account"/> when given) has a subscription on <paramref name="subject"/>.</summary>
    public async Task<bool> LeafHasSubAsync(string subject, string? account = null)
    {
        var leafz = await LeafzAsync();
        foreach (var leaf in leafz.GetProperty("leafs").EnumerateArray())
        {
            if (account is not null && leaf.GetProperty("account").GetString() != account)
            {
                continue;
            }
            if (leaf.TryGetProperty("subscriptions_list", out var list) && list.EnumerateArray().Any(s => s.GetString() == subject))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (bounded).</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 10) =>
        Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
