using System.Text.Json;
using Nats.Core.Config;
using Nats.TestSupport;
using NATS.Client.Core;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// Every INFO after the first carries the client's own fields as the first did (client_id,
/// client_ip, max_payload), as nats-server's <c>generateClientInfoJSON</c> writes them: the C
/// client replaces its copy of INFO with each one and otherwise loses its client id.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class AsyncInfoTests
{
    private static Task<TestServer> StartClusteredAsync() => TestServer.StartAsync(o =>
    {
        o.Cluster = new ClusterOptions { Name = "ai", Host = "127.0.0.1", Port = -1 };
        // Lame duck: the INFO goes out at once; the clients are closed long after the test.
        o.LameDuckGracePeriod = TimeSpan.FromSeconds(30);
        o.LameDuckDuration = TimeSpan.FromSeconds(60);
    });

    private static JsonElement Json(string infoLine)
    {
        Assert.That(infoLine, Does.StartWith("INFO "));
        return JsonDocument.Parse(infoLine["INFO ".Length..]).RootElement;
    }

    private static void AssertSameClientFields(JsonElement first, JsonElement later)
    {
        Assert.Multiple(() =>
        {
            Assert.That(later.GetProperty("client_id").GetUInt64(), Is.EqualTo(first.GetProperty("client_id").GetUInt64()).And.GreaterThan(0UL));
            Assert.That(later.GetProperty("client_ip").GetString(), Is.EqualTo(first.GetProperty("client_ip").GetString()).And.EqualTo("127.0.0.1"));
            Assert.That(later.GetProperty("max_payload").GetInt32(), Is.EqualTo(first.GetProperty("max_payload").GetInt32()));
            Assert.That(later.TryGetProperty("nonce", out _), Is.False, "the nonce belongs to the handshake only");
        });
    }

    [Test]
    public async Task InfoPushedWhenConnectUrlsChangeCarriesTheClientsFields()
    {
        await using var server = await StartClusteredAsync();
        await using var client = await server.ConnectRawAsync();
        var first = client.Info;
        await client.SendAsync(RawClient.QuietConnect.Insert(0, "CONNECT ") + "\r\nPING\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("PONG"));

        server.Server.AddClusterClientUrls(["10.0.0.7:4222"]);
        var update = Json(await client.ReadLineAsync());

        Assert.That(update.GetProperty("connect_urls").EnumerateArray().Select(u => u.GetString()), Does.Contain("10.0.0.7:4222"));
        AssertSameClientFields(first, update);
    }

    [Test]
    public async Task CatchUpInfoAfterTheFirstPongCarriesTheClientsFields()
    {
        await using var server = await StartClusteredAsync();
        await using var client = await server.ConnectRawAsync();
        var first = client.Info;
        await client.SendAsync(RawClient.QuietConnect.Insert(0, "CONNECT ") + "\r\n");
        // connect_urls change between CONNECT and the first PING: the INFO follows the PONG.
        server.Server.AddClusterClientUrls(["10.0.0.8:4222"]);
        await client.SendAsync("PING\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("PONG"));

        AssertSameClientFields(first, Json(await client.ReadLineAsync()));
    }

    [Test]
    public async Task LameDuckInfoCarriesTheClientsFields()
    {
        await using var server = await StartClusteredAsync();
        await using var client = await server.ConnectRawAsync();
        var first = client.Info;
        await client.SendAsync(RawClient.QuietConnect.Insert(0, "CONNECT ") + "\r\nPING\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("PONG"));

        var lameDuck = server.Server.EnterLameDuckModeAsync();
        var update = Json(await client.ReadLineAsync());

        Assert.That(update.GetProperty("ldm").GetBoolean(), Is.True);
        AssertSameClientFields(first, update);
        await server.Server.ShutdownAsync();
        await lameDuck;
    }

    [Test]
    public async Task NatsNetKeepsItsClientIdAcrossAnAsyncInfo()
    {
        await using var server = await StartClusteredAsync();
        await using var nats = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{server.Port}" });
        await nats.ConnectAsync();
        var id = nats.ServerInfo!.ClientId;
        Assert.That(id, Is.GreaterThan(0UL));

        server.Server.AddClusterClientUrls(["10.0.0.9:4222"]);
        await TestServer.WaitUntilAsync(() => nats.ServerInfo!.ClientConnectUrls?.Contains("10.0.0.9:4222") == true,
            "NATS.Net saw the new connect_urls");

        Assert.Multiple(() =>
        {
            Assert.That(nats.ServerInfo!.ClientId, Is.EqualTo(id));
            Assert.That(nats.ServerInfo!.ClientIp, Is.EqualTo("127.0.0.1"));
        });
    }
}
