using System.Text.Json;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// Leaf URL gossip in a hub cluster (nats-server's <c>leafnode_urls</c> in route and leaf INFO):
/// a leaf hears of every member's leaf port and fails over to one it was never configured with.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
[NonParallelizable]
public sealed class ClusterUrlTests
{
    private static string Member(string name, int own, int[] others, string leafExtra = "") => $$"""
        server_name: {{name}}
        cluster { name: HUB, listen: "127.0.0.1:{{own}}", routes: [{{string.Join(", ", others.Select(p => $"\"nats-route://127.0.0.1:{p}\""))}}] }
        leafnodes { host: 127.0.0.1, port: -1 {{leafExtra}} }
        """;

    /// <summary>Reads lines until an INFO whose leafnode_urls are exactly <paramref name="expected"/> (order aside).</summary>
    private static async Task ExpectLeafUrlsAsync(RawClient leaf, params string[] expected)
    {
        var seen = new List<string>();
        while (true)
        {
            string line;
            try
            {
                line = await leaf.ReadLineAsync();
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                Assert.Fail($"no INFO with leafnode_urls [{string.Join(", ", expected)}]; saw: {string.Join(" | ", seen)}");
                return;
            }
            seen.Add(line);
            if (!line.StartsWith("INFO ", StringComparison.Ordinal))
            {
                continue;
            }
            var info = JsonDocument.Parse(line[5..]).RootElement;
            var urls = info.GetProperty("leafnode_urls").EnumerateArray().Select(u => u.GetString()!).Order().ToArray();
            if (urls.SequenceEqual(expected.Order()))
            {
                Assert.That(info.TryGetProperty("nonce", out _), Is.False, "an asynchronous INFO carries no nonce");
                return;
            }
        }
    }

    [Test]
    public async Task A_hub_tells_its_leafs_of_each_members_leaf_url_as_members_come_and_go()
    {
        var ports = FreePorts.Take(2);
        await using var h1 = await OurServer.StartAsync(Member("H1", ports[0], [ports[1]]));
        var h1Url = $"127.0.0.1:{h1.LeafPort}";
        await using var leaf = await RawClient.ConnectAsync(h1.LeafPort);
        Assert.That(leaf.Info.GetProperty("leafnode_urls").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { h1Url }));
        await leaf.SendAsync("""CONNECT {"name":"raw","headers":true}""" + "\r\n");
        await ExpectLeafUrlsAsync(leaf, h1Url);   // the answer to CONNECT

        var h2 = await OurServer.StartAsync(Member("H2", ports[1], [ports[0]]));
        var h2Url = $"127.0.0.1:{h2.LeafPort}";
        await ExpectLeafUrlsAsync(leaf, h1Url, h2Url);

        await h2.DisposeAsync();
        await ExpectLeafUrlsAsync(leaf, h1Url);
    }

    [Test]
    public async Task The_advertised_address_is_what_leafs_and_routes_are_told()
    {
        var ports = FreePorts.Take(2);
        await using var h1 = await OurServer.StartAsync(Member("H1", ports[0], [ports[1]], leafExtra: ", advertise: \"leaf.example.test:7000\""));
        await using var h2 = await OurServer.StartAsync(Member("H2", ports[1], [ports[0]]));
        await using var toH1 = await RawClient.ConnectAsync(h1.LeafPort);
        Assert.That(toH1.Info.GetProperty("leafnode_urls")[0].GetString(), Is.EqualTo("leaf.example.test:7000"));
        Assert.That((toH1.Info.GetProperty("host").GetString(), toH1.Info.GetProperty("port").GetInt32()), Is.EqualTo(("leaf.example.test", 7000)));
        await Leaf.UntilAsync(() => h2.Server.Routes?.Routes.Count == 1, "the route is up");
        await using var toH2 = await RawClient.ConnectAsync(h2.LeafPort);
        Assert.That(toH2.Info.GetProperty("leafnode_urls").EnumerateArray().Select(u => u.GetString()), Does.Contain("leaf.example.test:7000"), "H2 heard H1's advertised URL over the route");
    }

    [Test]
    public async Task With_no_advertise_a_member_keeps_its_leaf_url_to_itself()
    {
        var ports = FreePorts.Take(2);
        await using var h1 = await OurServer.StartAsync(Member("H1", ports[0], [ports[1]]));
        await using var h2 = await OurServer.StartAsync(Member("H2", ports[1], [ports[0]], leafExtra: ", no_advertise: true"));
        await Leaf.UntilAsync(() => h1.Server.Routes?.Routes.Count == 1 && h2.Server.Routes?.Routes.Count == 1, "the route is up");
        await using var toH1 = await RawClient.ConnectAsync(h1.LeafPort);
        Assert.That(toH1.Info.GetProperty("leafnode_urls").GetArrayLength(), Is.EqualTo(1), "H2 did not advertise");
        await using var toH2 = await RawClient.ConnectAsync(h2.LeafPort);
        Assert.That(toH2.Info.GetProperty("leafnode_urls").EnumerateArray().Select(u => u.GetString()).Order(),
            Is.EqualTo(new[] { $"127.0.0.1:{h1.LeafPort}", $"127.0.0.1:{h2.LeafPort}" }.Order()), "H2 still lists what H1 advertised, and itself");
    }

    [Test]
    public async Task A_leaf_of_a_three_server_cluster_fails_over_to_a_member_it_only_heard_of()
    {
        var ports = FreePorts.Take(3);
        var h1 = await OurServer.StartAsync(Member("H1", ports[0], [ports[1], ports[2]]));
        var h1Stopped = false;
        await using var h2 = await OurServer.StartAsync(Member("H2", ports[1], [ports[0], ports[2]]));
        await using var h3 = await OurServer.StartAsync(Member("H3", ports[2], [ports[0], ports[1]]));
        try
        {
            await Leaf.UntilAsync(() => new[] { h1, h2, h3 }.All(h => h.Server.Routes?.Routes.Count == 2), "the three routes are up");
            await using var leaf = await OurServer.StartAsync($$"""
                server_name: L
                leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{h1.LeafPort}}" } ] }
                """);
            await Leaf.UntilAsync(() => h1.LeafCount == 1 && leaf.LeafCount == 1, "the leaf links to H1");

            // Interest and messages across the whole cluster while linked to H1.
            await using var leafSub = await leaf.ClientAsync();
            await Leaf.SubAsync(leafSub, "to.leaf", "1");
            await Leaf.UntilAsync(() => h3.HasInterest("to.leaf") && h2.HasInterest("to.leaf"), "the leaf's interest reaches H2 and H3 through routes");
            await using (var h3Pub = await h3.ClientAsync())
            {
                await Leaf.PubAsync(h3Pub, "to.leaf", "from-h3");
            }
            await leafSub.ExpectMsgAsync("to.leaf", "1", "from-h3");

            h1Stopped = true;
            await h1.DisposeAsync();
            await Leaf.UntilAsync(() => h2.LeafCount + h3.LeafCount == 1 && leaf.LeafCount == 1, "the leaf moves to H2 or H3, learned from leafnode_urls", seconds: 20);
            var survivor = h2.LeafCount == 1 ? h3 : h2;   // publish from the member the leaf is NOT on: through a route
            await Leaf.UntilAsync(() => survivor.HasInterest("to.leaf"), "interest re-announced after failover");
            await using var pub = await survivor.ClientAsync();
            await Leaf.PubAsync(pub, "to.leaf", "after");
            await leafSub.ExpectMsgAsync("to.leaf", "1", "after");
            await Leaf.ExpectSilenceAsync(leafSub);
        }
        finally
        {
            if (!h1Stopped)
            {
                await h1.DisposeAsync();
            }
        }
    }
}
