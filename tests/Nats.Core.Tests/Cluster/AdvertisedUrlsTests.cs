using System.Text.Json;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Tests.Connections;
using Nats.TestSupport;

namespace Nats.Core.Tests.Cluster;

/// <summary>
/// <see cref="NatsServer.AdvertiseUrls"/>: a plugin listener's URLs carried in route INFO under
/// their own field, collected from peers, and given to that listener's clients as
/// <c>connect_urls</c> (as nats-server does with <c>ws_connect_urls</c>).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class AdvertisedUrlsTests : ServersFixture
{
    private const string Field = "test_connect_urls";
    private static readonly ClientListenerOptions Listener = new() { ConnectUrlsField = Field, LogPrefix = "pipe" };

    private Task<NatsServer> StartAsync(string name, params NatsServer[] seeds) => StartAsync(TestCluster.Member(name, "test", seeds));

    private static string[] ConnectUrls(string infoLine)
    {
        var json = JsonDocument.Parse(infoLine["INFO ".Length..].Trim()).RootElement;
        return json.TryGetProperty("connect_urls", out var urls) ? [.. urls.EnumerateArray().Select(u => u.GetString()!)] : [];
    }

    [Test]
    public async Task Route_info_carries_the_field_and_the_listeners_clients_get_the_clusters_urls()
    {
        var a = await StartAsync("a");
        a.AdvertiseUrls(Field, ["a.example:1001"]);
        var b = await StartAsync("b", a);
        // Advertised after b's route came up: the late INFO must still reach a.
        await Eventually.TrueAsync(() => b.Routes!.Routes.Count == 1, "b routed to a", TimeSpan.FromSeconds(15));
        b.AdvertiseUrls(Field, ["b.example:1002"]);

        await Eventually.TrueAsync(() => a.GetAdvertisedUrls(Field).Count == 2 && b.GetAdvertisedUrls(Field).Count == 2, "both servers know both URLs", TimeSpan.FromSeconds(15));
        Assert.That(a.GetAdvertisedUrls(Field), Is.EqualTo(new[] { "a.example:1001", "b.example:1002" }), "own first");
        Assert.That(b.GetAdvertisedUrls(Field), Is.EqualTo(new[] { "b.example:1002", "a.example:1001" }));

        // The route INFO names the field (what nats-server peers read as ws_connect_urls).
        await using (var route = await RawClient.ConnectAsync(a.Routes!.Port))
        {
            Assert.That(route.Info.GetProperty(Field).EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "a.example:1001" }));
        }

        using var listener = new StreamListener(a, Listener);
        await using var streamClient = await RawClient.ConnectAndHandshakeAsync(listener.Port);
        Assert.That(ConnectUrls(streamClient.InfoLine!), Is.EqualTo(new[] { "a.example:1001", "b.example:1002" }));
        Assert.That(streamClient.InfoJson, Does.Not.Contain(Field), "the field itself is for routes only");
        await using var portClient = await RawClient.ConnectAndHandshakeAsync(a.Port);
        Assert.That(ConnectUrls(portClient.InfoLine!), Is.EquivalentTo(new[] { $"127.0.0.1:{a.Port}", $"127.0.0.1:{b.Port}" }), "the client port keeps its own");

        // b leaves: the listener's clients are told, the port's clients hear about their own list.
        await b.DisposeAsync();
        var update = await streamClient.ExpectAsync("\r\n", TimeSpan.FromSeconds(15));
        Assert.That(ConnectUrls(update.Trim()), Is.EqualTo(new[] { "a.example:1001" }));
        var portUpdate = await portClient.ExpectAsync("\r\n", TimeSpan.FromSeconds(15));
        Assert.That(ConnectUrls(portUpdate.Trim()), Is.EqualTo(new[] { $"127.0.0.1:{a.Port}" }));
        Assert.That(await streamClient.CountAsync("INFO", TimeSpan.FromMilliseconds(300)), Is.Zero, "one INFO per change, none for the port's list");
    }

    [Test]
    public async Task No_advertise_keeps_the_field_off_routes()
    {
        var server = await StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = -1,
            Cluster = new ClusterOptions { Name = "test", Host = "127.0.0.1", Port = -1, NoAdvertise = true },
        });
        server.AdvertiseUrls(Field, ["a.example:1001"]);
        await using var route = await RawClient.ConnectAsync(server.Routes!.Port);
        Assert.That(route.Info.TryGetProperty(Field, out _), Is.False);
    }
}
