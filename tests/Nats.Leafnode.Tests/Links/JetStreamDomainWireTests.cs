using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// The JetStream fields of the leaf handshake as nats-server 2.9.10 sends and reads them: the
/// hub's INFO carries <c>jetstream</c> (JetStream enabled) and <c>domain</c>; the leaf's CONNECT
/// carries <c>domain</c> (the server's) and <c>jetstream</c> (its local account has JetStream);
/// each side decides its JetStream denies with the other's domain.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class JetStreamDomainWireTests
{
    [Test]
    public async Task The_hubs_info_names_its_jetstream_and_domain_and_the_connect_domain_decides_the_denies()
    {
        using var store = new TempDirectory();
        var port = FreePorts.Take();
        var logs = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await OurServer.StartAsync($$"""
            jetstream { store_dir: "{{store.Path}}", domain: hub }
            leafnodes { listen: "127.0.0.1:{{port}}" }
            """, logs, jetStream: true);

        await using var same = await RawClient.ConnectAsync(port);
        Assert.That((same.Info.GetProperty("jetstream").GetBoolean(), same.Info.GetProperty("domain").GetString()), Is.EqualTo((true, "hub")));
        await same.SendAsync("""CONNECT {"name":"same","domain":"hub"}""" + "\r\n");
        var answer = await same.ExpectAsync("\"connect_info\":true");
        Assert.That(answer, Does.Contain("\"jetstream\":true").And.Contain("\"domain\":\"hub\""), "the INFO answering CONNECT too");
        await Leaf.UntilAsync(() => logs.Contains("Adding deny [$JS.API.> $KV.> $OBJ.>] for account \"$G\""), "same domain: the account's API is denied");

        await using var other = await RawClient.ConnectAsync(port);
        await other.SendAsync("""CONNECT {"name":"other","domain":"spoke"}""" + "\r\n");
        await other.ExpectAsync("\"connect_info\":true");
        await Leaf.UntilAsync(() => logs.Contains("JetStream Not Extended, adding deny [$JS.API.> $KV.> $OBJ.>] for account \"$G\"")
            && logs.Contains("Adding deny \"$JS.hub.API.>\" for outgoing messages to account \"$G\""), "another domain: not extended, our domain kept home");
    }

    [Test]
    public async Task A_hub_without_jetstream_sends_neither_field()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}" }""");
        await using var raw = await RawClient.ConnectAsync(port);
        Assert.That(raw.Info.TryGetProperty("jetstream", out _) || raw.Info.TryGetProperty("domain", out _), Is.False, raw.InfoJson);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Our_leafs_connect_carries_its_domain_and_whether_its_account_runs_jetstream(bool jetStream)
    {
        using var store = new TempDirectory();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var js = jetStream ? $$"""jetstream { store_dir: "{{store.Path}}", domain: spoke }""" : "";
            await using var leaf = await OurServer.StartAsync($$"""
                {{js}}
                leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}" } ] }
                """, jetStream: jetStream);
            var (socket, connect, _) = await RawHubTests.AcceptLeafAsync(listener,
                $$"""{"server_id":"HUB","server_name":"hub","version":"2.9.10","proto":1,"headers":true,"auth_required":true,"max_payload":1048576,"jetstream":true,"domain":"hub","client_id":7,"nonce":"abcdefghijklmno","leafnode_urls":["127.0.0.1:{{port}}"],"info_on_connect":true}""", until: "\r\n");
            using var hubSide = socket;
            var json = JsonDocument.Parse(connect["CONNECT ".Length..]).RootElement;
            if (jetStream)
            {
                Assert.That((json.GetProperty("domain").GetString(), json.GetProperty("jetstream").GetBoolean()), Is.EqualTo(("spoke", true)), connect);
            }
            else
            {
                Assert.That(json.TryGetProperty("domain", out _) || json.TryGetProperty("jetstream", out _), Is.False, connect);
            }
        }
        finally
        {
            listener.Stop();
        }
    }
}
