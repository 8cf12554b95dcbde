using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// A leaf cluster linked to a hub by more than one member (nats-server's origin cluster, route
/// INFO <c>lnoc</c>): interest from one member never comes back to another member through the
/// hub, so each message is delivered once.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
[NonParallelizable]
public sealed class LeafOriginTests
{
    private const string NoInfoUpdates = """{"verbose":false,"pedantic":false,"headers":true,"protocol":0}""";

    private static string Routes(params int[] ports) => string.Join(", ", ports.Select(p => $"\"nats-route://127.0.0.1:{p}\""));

    /// <summary>A member of leaf cluster LC linked to <paramref name="hubLeafPort"/>.</summary>
    private static Task<OurServer> LeafMemberAsync(string name, int own, int other, int hubLeafPort, ListLoggerProvider? logs = null) => OurServer.StartAsync($$"""
        server_name: {{name}}
        cluster { name: LC, listen: "127.0.0.1:{{own}}", routes: [{{Routes(other)}}] }
        leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{hubLeafPort}}" } ] }
        """, logs);

    /// <summary>Sub on one leaf member, publish on the other (and the reverse): each message arrives once.</summary>
    private static async Task ExpectExactlyOnceAsync(OurServer l1, OurServer l2, Func<string, Task> hubKnows)
    {
        foreach (var (subscriber, publisher, subject) in new[] { (l1, l2, "once.a"), (l2, l1, "once.b") })
        {
            await using var sub = await subscriber.ClientAsync(NoInfoUpdates);
            await Leaf.SubAsync(sub, subject, "1");
            await Leaf.UntilAsync(() => publisher.HasInterest(subject), "the other member has the interest through its route");
            await hubKnows(subject);
            Assert.That(publisher.HasLeafInterest(subject), Is.False, "the hub never tells a member of its own cluster's interest");
            await using var pub = await publisher.ClientAsync(NoInfoUpdates);
            await Leaf.PubAsync(pub, subject, "x");
            await sub.ExpectMsgAsync(subject, "1", "x");
            await Leaf.ExpectSilenceAsync(sub, 500);
        }
    }

    [Test]
    public async Task Two_members_of_a_leaf_cluster_on_one_hub_get_each_message_once()
    {
        var ports = FreePorts.Take(2);
        var hubLogs = new ListLoggerProvider(LogLevel.Information);
        var leafLogs = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await OurServer.StartAsync("""leafnodes { host: 127.0.0.1, port: -1 }""", hubLogs);
        await using var l1 = await LeafMemberAsync("L1", ports[0], ports[1], hub.LeafPort, leafLogs);
        await using var l2 = await LeafMemberAsync("L2", ports[1], ports[0], hub.LeafPort, leafLogs);
        try
        {
            await Leaf.UntilAsync(() => hub.LeafCount == 2 && l1.Server.Routes?.Routes.Count == 1, "both members link and route");
        }
        catch
        {
            TestContext.Out.WriteLine(string.Join("\n", hubLogs.Texts.Select(l => "HUB " + l).Concat(leafLogs.Texts.Select(l => "LEAF " + l))));
            throw;
        }
        await ExpectExactlyOnceAsync(l1, l2, s => Leaf.UntilAsync(() => hub.HasLeafInterest(s), "the hub has the interest"));
    }

    [Test]
    public async Task Two_members_of_a_leaf_cluster_on_two_hub_members_get_each_message_once()
    {
        var ports = FreePorts.Take(4);
        await using var h1 = await OurServer.StartAsync($$"""
            server_name: H1
            cluster { name: HUB, listen: "127.0.0.1:{{ports[0]}}", routes: [{{Routes(ports[1])}}] }
            leafnodes { host: 127.0.0.1, port: -1 }
            """);
        await using var h2 = await OurServer.StartAsync($$"""
            server_name: H2
            cluster { name: HUB, listen: "127.0.0.1:{{ports[1]}}", routes: [{{Routes(ports[0])}}] }
            leafnodes { host: 127.0.0.1, port: -1 }
            """);
        await Leaf.UntilAsync(() => h1.Server.Routes?.Routes.Count == 1, "the hub route is up");
        await using var l1 = await LeafMemberAsync("L1", ports[2], ports[3], h1.LeafPort);
        await using var l2 = await LeafMemberAsync("L2", ports[3], ports[2], h2.LeafPort);
        await Leaf.UntilAsync(() => h1.LeafCount == 1 && h2.LeafCount == 1 && l1.Server.Routes?.Routes.Count == 1, "both members link and route");
        await ExpectExactlyOnceAsync(l1, l2, s => Leaf.UntilAsync(() => h1.HasInterest(s) && h2.HasInterest(s), "both hub members have the interest"));

        // The origin travels over the hub's route: LS+ with the leaf cluster's name.
        await using var watcher = await l1.ClientAsync(NoInfoUpdates);
        await Leaf.SubAsync(watcher, "origin.check", "1");
        await Leaf.UntilAsync(() => h2.HasInterest("origin.check"), "H2 learns it over the route");
        var routed = h2.Server.Routes!.Routes.Single().GetRemoteInterest().Single(i => i.Subscription.SubjectString == "origin.check").Subscription;
        Assert.That(routed.OriginCluster, Is.EqualTo("LC"));
    }
}
