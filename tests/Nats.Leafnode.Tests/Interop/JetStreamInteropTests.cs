using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using NATS.Net;
using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>
/// JetStream across a leaf link with nats-server 2.9.10 on the other side, both ways: a NATS.Net
/// client of the leaf uses the hub's streams and KV through the hub's domain (and without it
/// through the leaf's <c>default_js_domain</c>); and the handshake's JetStream fields are the same
/// as nats-server's.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class JetStreamInteropTests
{
    private static NatsClient Client(int port) => new(new NatsOpts { Url = $"nats://127.0.0.1:{port}", RequestTimeout = TimeSpan.FromSeconds(10) });

    /// <summary>Streams, a pull consumer, KV puts through the domain as nats.go does them, from a leaf client.</summary>
    private static async Task UseHubJetStreamAsync(NatsClient leafClient, CancellationToken ct)
    {
        var js = KvOverLeafTests.Js(leafClient, "hub");
        Assert.That((await js.GetAccountInfoAsync(ct)).Domain, Is.EqualTo("hub"));
        await js.CreateStreamAsync(new StreamConfig("EVENTS", ["events.>"]), ct);
        // The hub announces the new stream's subjects over the link; until then a publish has no responders.
        await Leaf.UntilAsync(async () =>
        {
            try
            {
                (await js.PublishAsync("events.a", "one", cancellationToken: ct)).EnsureSuccess();
                return true;
            }
            catch (NatsJSPublishNoResponseException)
            {
                return false;
            }
        }, "a publish to the new stream is acknowledged");
        var consumer = await js.CreateOrUpdateConsumerAsync("EVENTS", new ConsumerConfig("C") { AckPolicy = ConsumerConfigAckPolicy.Explicit }, ct);
        var msg = await consumer.NextAsync<string>(cancellationToken: ct);
        Assert.That(msg?.Data, Is.EqualTo("one"));
        await msg!.AckAsync(cancellationToken: ct);
        await KvOverLeafTests.PutThroughDomainAndReadAsync(leafClient, ct);
    }

    // ---- nats-server hub, our leaf ----

    [Test]
    public async Task A_client_of_our_leaf_uses_a_nats_server_hubs_jetstream_and_kv_through_its_domain(CancellationToken ct)
    {
        using var store = new TempDirectory();
        await using var hub = await ReferenceServer.StartWithPortsAsync($$"""
            jetstream { store_dir: "{{store.Path}}", domain: hub }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}", authorization { user: leaf, password: pw } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{hub.LeafPort}}" } ] }""");
        await Leaf.UntilAsync(() => leaf.LeafCount == 1, "our leaf connects to nats-server");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("$JS.hub.API.$KV.cfg.k"), "nats-server announces its domain mappings");

        await using var leafClient = Client(leaf.Port);
        await UseHubJetStreamAsync(leafClient, ct);
    }

    [Test]
    public async Task NATS_Net_kv_on_our_leaf_with_default_js_domain_uses_a_nats_server_hubs_bucket(CancellationToken ct)
    {
        using var store = new TempDirectory();
        await using var hub = await ReferenceServer.StartWithPortsAsync($$"""
            jetstream { store_dir: "{{store.Path}}", domain: hub }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}", authorization { user: leaf, password: pw } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""
            default_js_domain: { $G: hub }
            leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{hub.LeafPort}}" } ] }
            """, jetStream: true);
        await Leaf.UntilAsync(() => leaf.LeafCount == 1, "our leaf connects to nats-server");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("$JS.hub.API.$KV.cfg.k"), "nats-server announces its domain mappings");

        await using var leafClient = Client(leaf.Port);
        await using var hubClient = Client(hub.Port);
        await KvOverLeafTests.UseBucketAsync(new NatsKVContext(KvOverLeafTests.Js(leafClient, "hub")), new NatsKVContext(KvOverLeafTests.Js(hubClient, null)), ct);
        Assert.That((await KvOverLeafTests.Js(leafClient, null).GetAccountInfoAsync(ct)).Domain, Is.EqualTo("hub"), "without a domain too");
    }

    // ---- our hub, nats-server leaf ----

    [Test]
    public async Task A_client_of_a_nats_server_leaf_uses_our_hubs_jetstream_and_kv_through_its_domain(CancellationToken ct)
    {
        using var store = new TempDirectory();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            jetstream { store_dir: "{{store.Path}}", domain: hub }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { user: leaf, password: pw } }
            """, jetStream: true);
        await using var leaf = await ReferenceServer.StartWithPortsAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{port}}" } ] }""");
        await Leaf.UntilAsync(() => hub.LeafCount == 1, "nats-server's leaf connects to our hub");
        await using var leafClient = Client(leaf.Port);
        await Leaf.UntilAsync(async () =>
        {
            try
            {
                return (await KvOverLeafTests.Js(leafClient, "hub").GetAccountInfoAsync(ct)).Domain == "hub";
            }
            catch (NatsNoRespondersException)
            {
                return false;
            }
        }, "our domain's API reaches nats-server's leaf");
        await UseHubJetStreamAsync(leafClient, ct);
    }

    [Test]
    public async Task NATS_Net_kv_on_a_nats_server_leaf_with_default_js_domain_uses_our_hubs_bucket(CancellationToken ct)
    {
        using var store = new TempDirectory();
        using var leafStore = new TempDirectory();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            jetstream { store_dir: "{{store.Path}}", domain: hub }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { user: leaf, password: pw } }
            """, jetStream: true);
        await using var leaf = await ReferenceServer.StartWithPortsAsync($$"""
            default_js_domain: { $G: hub }
            leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{port}}" } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1, "nats-server's leaf connects to our hub");
        await using var leafClient = Client(leaf.Port);
        await using var hubClient = Client(hub.Port);
        await Leaf.UntilAsync(async () =>
        {
            try
            {
                return (await KvOverLeafTests.Js(leafClient, null).GetAccountInfoAsync(ct)).Domain == "hub";
            }
            catch (NatsNoRespondersException)
            {
                return false;
            }
        }, "nats-server's leaf maps $JS.API to our domain");
        await KvOverLeafTests.UseBucketAsync(new NatsKVContext(KvOverLeafTests.Js(leafClient, "hub")), new NatsKVContext(KvOverLeafTests.Js(hubClient, null)), ct);
    }

    // ---- the handshake's fields, side by side ----

    [TestCase("jetstream { store_dir: \"{0}\", domain: hub }")]
    [TestCase("jetstream { store_dir: \"{0}\" }")]
    [TestCase("")]
    public async Task Our_hubs_leaf_info_has_the_jetstream_fields_of_nats_servers(string jetStream)
    {
        using var goStore = new TempDirectory();
        using var ourStore = new TempDirectory();
        await using var go = await ReferenceServer.StartWithPortsAsync(jetStream.Replace("{0}", goStore.Path, StringComparison.Ordinal) + "\nleafnodes { listen: \"127.0.0.1:{LEAF_PORT}\" }");
        var port = FreePorts.Take();
        await using var ours = await OurServer.StartAsync(jetStream.Replace("{0}", ourStore.Path, StringComparison.Ordinal) + $"\nleafnodes {{ listen: \"127.0.0.1:{port}\" }}", jetStream: jetStream.Length > 0);
        await using var goRaw = await RawClient.ConnectAsync(go.LeafPort);
        await using var ourRaw = await RawClient.ConnectAsync(port);
        Assert.That(JetStreamFields(ourRaw.Info), Is.EqualTo(JetStreamFields(goRaw.Info)), $"ours {ourRaw.InfoJson}\nnats-server {goRaw.InfoJson}");
    }

    [TestCase("jetstream { store_dir: \"{0}\", domain: spoke }")]
    [TestCase("jetstream { store_dir: \"{0}\" }")]
    [TestCase("")]
    public async Task Our_leafs_connect_has_the_jetstream_fields_of_nats_servers(string jetStream)
    {
        using var goStore = new TempDirectory();
        using var ourStore = new TempDirectory();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var info = $$"""{"server_id":"HUB","server_name":"hub","version":"2.9.10","proto":1,"headers":true,"auth_required":true,"max_payload":1048576,"client_id":7,"nonce":"abcdefghijklmno","leafnode_urls":["127.0.0.1:{{port}}"],"info_on_connect":true}""";
            var remote = $$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}" } ] }""";
            await using var go = await ReferenceServer.StartWithPortsAsync(jetStream.Replace("{0}", goStore.Path, StringComparison.Ordinal) + "\n" + remote);
            var (goSocket, goConnect, _) = await RawHubTests.AcceptLeafAsync(listener, info, until: "\r\n");
            using var goSide = goSocket;
            await using var ours = await OurServer.StartAsync(jetStream.Replace("{0}", ourStore.Path, StringComparison.Ordinal) + "\n" + remote, jetStream: jetStream.Length > 0);
            var (ourSocket, ourConnect, _) = await RawHubTests.AcceptLeafAsync(listener, info, until: "\r\n");
            using var ourSide = ourSocket;
            Assert.That(JetStreamFields(Connect(ourConnect)), Is.EqualTo(JetStreamFields(Connect(goConnect))), $"ours {ourConnect}\nnats-server {goConnect}");
        }
        finally
        {
            listener.Stop();
        }
    }

    private static JsonElement Connect(string line) => JsonDocument.Parse(line["CONNECT ".Length..]).RootElement;

    private static (string? JetStream, string? Domain) JetStreamFields(JsonElement json) =>
        (json.TryGetProperty("jetstream", out var js) ? js.GetRawText() : null, json.TryGetProperty("domain", out var d) ? d.GetString() : null);
}
