using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>Leaf URL gossip against nats-server 2.9.10: its leafs fail over in our cluster, ours in its, and a mixed cluster shares URLs.</summary>
[TestFixture]
[CancelAfter(90_000)]
[NonParallelizable]
public sealed class ClusterUrlInteropTests
{
    private static string Routes(params int[] ports) => string.Join(", ", ports.Select(p => $"\"nats-route://127.0.0.1:{p}\""));

    [Test]
    public async Task A_nats_server_leaf_fails_over_to_the_member_of_our_cluster_it_heard_of()
    {
        var ports = FreePorts.Take(2);
        var h1 = await OurServer.StartAsync($$"""
            server_name: H1
            cluster { name: HUB, listen: "127.0.0.1:{{ports[0]}}", routes: [{{Routes(ports[1])}}] }
            leafnodes { host: 127.0.0.1, port: -1 }
            """);
        var h1Stopped = false;
        await using var h2 = await OurServer.StartAsync($$"""
            server_name: H2
            cluster { name: HUB, listen: "127.0.0.1:{{ports[1]}}", routes: [{{Routes(ports[0])}}] }
            leafnodes { host: 127.0.0.1, port: -1 }
            """);
        try
        {
            await Leaf.UntilAsync(() => h1.Server.Routes?.Routes.Count == 1, "the route is up");
            await using var leaf = await ReferenceServer.StartWithPortsAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{h1.LeafPort}}" } ] }""");
            await Leaf.UntilAsync(() => h1.LeafCount == 1, "nats-server's leaf links to H1");
            h1Stopped = true;
            await h1.DisposeAsync();
            await Leaf.UntilAsync(() => h2.LeafCount == 1, "nats-server's leaf moves to H2, learned from our leafnode_urls", seconds: 20);

            await using var leafSub = await leaf.ClientAsync();
            await Leaf.SubAsync(leafSub, "after", "1");
            await Leaf.UntilAsync(() => h2.HasLeafInterest("after"), "its interest reaches H2");
            await using var pub = await h2.ClientAsync();
            await Leaf.PubAsync(pub, "after", "x");
            await leafSub.ExpectMsgAsync("after", "1", "x");
        }
        finally
        {
            if (!h1Stopped)
            {
                await h1.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Our_leaf_fails_over_to_the_member_of_a_nats_server_cluster_it_heard_of()
    {
        var ports = FreePorts.Take(2);
        var g1 = await ReferenceServer.StartWithPortsAsync($$"""
            server_name: G1
            cluster { name: GHUB, listen: "127.0.0.1:{{ports[0]}}", routes: [{{Routes(ports[1])}}] }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }
            """);
        var g1Stopped = false;
        await using var g2 = await ReferenceServer.StartWithPortsAsync($$"""
            server_name: G2
            cluster { name: GHUB, listen: "127.0.0.1:{{ports[1]}}", routes: [{{Routes(ports[0])}}] }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }
            """);
        try
        {
            // nats-server's leaf INFO lists the other member once the route is up.
            await Leaf.UntilAsync(async () =>
            {
                await using var probe = await RawClient.ConnectAsync(g1.LeafPort);
                return probe.Info.GetProperty("leafnode_urls").GetArrayLength() == 2;
            }, "G1 knows G2's leaf URL");
            await using var leaf = await OurServer.StartAsync($$"""
                leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{g1.LeafPort}}" } ] }
                """);
            await Leaf.UntilAsync(async () => await g1.LeafCountAsync() == 1, "our leaf links to G1");
            g1Stopped = true;
            await g1.DisposeAsync();
            await Leaf.UntilAsync(async () => await g2.LeafCountAsync() == 1 && leaf.LeafCount == 1, "our leaf moves to G2", seconds: 20);

            await using var leafSub = await leaf.ClientAsync();
            await Leaf.SubAsync(leafSub, "after", "1");
            await Leaf.UntilAsync(() => g2.LeafHasSubAsync("after"), "our interest reaches G2");
            await using var pub = await g2.ClientAsync();
            await Leaf.PubAsync(pub, "after", "x");
            await leafSub.ExpectMsgAsync("after", "1", "x");
        }
        finally
        {
            if (!g1Stopped)
            {
                await g1.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task In_a_mixed_cluster_nats_server_lists_our_leaf_url_and_we_list_its()
    {
        var ports = FreePorts.Take(2);
        await using var ours = await OurServer.StartAsync($$"""
            server_name: OURS
            cluster { name: MIX, listen: "127.0.0.1:{{ports[0]}}", routes: [{{Routes(ports[1])}}] }
            leafnodes { host: 127.0.0.1, port: -1 }
            """);
        await using var go = await ReferenceServer.StartWithPortsAsync($$"""
            server_name: GO
            cluster { name: MIX, listen: "127.0.0.1:{{ports[1]}}", routes: [{{Routes(ports[0])}}] }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }
            """);
        var expected = new[] { $"127.0.0.1:{ours.LeafPort}", $"127.0.0.1:{go.LeafPort}" }.Order().ToArray();
        await Leaf.UntilAsync(async () =>
        {
            await using var probe = await RawClient.ConnectAsync(go.LeafPort);
            return probe.Info.GetProperty("leafnode_urls").EnumerateArray().Select(u => u.GetString()).Order().SequenceEqual(expected);
        }, "nats-server's leaf INFO lists our leaf URL (from our first route INFO)");
        await using var toOurs = await RawClient.ConnectAsync(ours.LeafPort);
        Assert.That(toOurs.Info.GetProperty("leafnode_urls").EnumerateArray().Select(u => u.GetString()).Order(), Is.EqualTo(expected));
    }
}
