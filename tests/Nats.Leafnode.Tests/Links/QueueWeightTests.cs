using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// Queue weights re-announced as nats-server does on every change: a group learned over a route
/// reaches the hub's leafs as <c>LS+ subject queue weight</c> with each new member count, and a
/// leaf's group weight reaches the other cluster members and the other leafs.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class QueueWeightTests
{
    // Protocol 0: no asynchronous INFO (a new member's connect_urls) in the middle of PING/PONG.
    private const string NoInfoUpdates = """{"verbose":false,"pedantic":false,"headers":true,"protocol":0}""";

    private static async Task<(OurServer H1, OurServer H2)> ClusterAsync()
    {
        var ports = FreePorts.Take(2);
        var h1 = await OurServer.StartAsync($$"""
            server_name: H1
            cluster { name: HUB, listen: "127.0.0.1:{{ports[0]}}", routes: ["nats-route://127.0.0.1:{{ports[1]}}"] }
            leafnodes { host: 127.0.0.1, port: -1 }
            """);
        var h2 = await OurServer.StartAsync($$"""
            server_name: H2
            cluster { name: HUB, listen: "127.0.0.1:{{ports[1]}}", routes: ["nats-route://127.0.0.1:{{ports[0]}}"] }
            """);
        await Leaf.UntilAsync(() => h1.Server.Routes?.Routes.Count == 1 && h2.Server.Routes?.Routes.Count == 1, "the route is up");
        return (h1, h2);
    }

    /// <summary>A raw leaf past CONNECT, its INFO and the $LDS line read.</summary>
    private static async Task<RawClient> RawLeafAsync(OurServer hub, string name)
    {
        var leaf = await RawClient.ConnectAsync(hub.LeafPort);
        await leaf.SendAsync($$"""CONNECT {"name":"{{name}}","headers":true}""" + "\r\n");
        await Leaf.ReadHandshakeAsync(leaf);
        return leaf;
    }

    private static long Weight(OurServer server, string subject)
    {
        long total = 0;
        foreach (var group in server.Account(null).Sublist.Match(subject).QueueGroups)
        {
            total += group.TotalWeight;
        }
        return total;
    }

    [Test]
    public async Task A_group_learned_over_a_route_reaches_the_leaf_with_each_new_weight()
    {
        var (h1, h2) = await ClusterAsync();
        await using var _ = h1;
        await using var __ = h2;
        await using var leaf = await RawLeafAsync(h1, "raw");

        await using var w1 = await h2.ClientAsync(NoInfoUpdates);
        await using var w2 = await h2.ClientAsync(NoInfoUpdates);
        await Leaf.SubAsync(w1, "work", "1", "q");
        await leaf.ExpectLineAsync("LS+ work q 1");
        await Leaf.SubAsync(w2, "work", "1", "q");
        await leaf.ExpectLineAsync("LS+ work q 2");
        await w2.SendAsync("UNSUB 1\r\n");
        await w2.PingAsync();
        await leaf.ExpectLineAsync("LS+ work q 1");
        await w1.SendAsync("UNSUB 1\r\n");
        await w1.PingAsync();
        await leaf.ExpectLineAsync("LS- work q");
    }

    [Test]
    public async Task A_leafs_group_weight_reaches_the_other_member_and_the_other_leafs_on_every_change()
    {
        var (h1, h2) = await ClusterAsync();
        await using var _ = h1;
        await using var __ = h2;
        await using var leaf = await RawLeafAsync(h1, "raw1");
        await using var other = await RawLeafAsync(h1, "raw2");

        await leaf.SendAsync("LS+ jobs g 3\r\n");
        await other.ExpectLineAsync("LS+ jobs g 3");
        await Leaf.UntilAsync(() => Weight(h2, "jobs") == 3, "H2 counts the leaf's 3 members");

        await leaf.SendAsync("LS+ jobs g 5\r\n");
        await other.ExpectLineAsync("LS+ jobs g 5");
        await Leaf.UntilAsync(() => Weight(h2, "jobs") == 5, "H2 counts 5 after the re-announcement");

        await leaf.SendAsync("LS+ jobs g 2\r\n");
        await other.ExpectLineAsync("LS+ jobs g 2");
        await Leaf.UntilAsync(() => Weight(h2, "jobs") == 2, "and 2 after it shrank");

        await leaf.SendAsync("LS- jobs g\r\n");
        await other.ExpectLineAsync("LS- jobs g");
        await Leaf.UntilAsync(() => !h2.HasInterest("jobs"), "the group leaves H2");
    }
}
