using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>
/// The origin cluster (route <c>lnoc</c>, <c>LS+ origin account subject</c>) against nats-server
/// 2.9.10 in the same hub cluster: a leaf cluster linked through our member and through its
/// member gets each message once, whichever side subscribes.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
[NonParallelizable]
public sealed class LeafOriginInteropTests
{
    private const string NoInfoUpdates = """{"verbose":false,"pedantic":false,"headers":true,"protocol":0}""";

    [Test]
    public async Task A_leaf_cluster_linked_to_our_member_and_to_a_nats_server_member_gets_each_message_once()
    {
        var ports = FreePorts.Take(4);
        await using var ours = await OurServer.StartAsync($$"""
            server_name: H1
            cluster { name: HUB, listen: "127.0.0.1:{{ports[0]}}", routes: ["nats-route://127.0.0.1:{{ports[1]}}"] }
            leafnodes { host: 127.0.0.1, port: -1 }
            """);
        await using var go = await ReferenceServer.StartWithPortsAsync($$"""
            server_name: G2
            cluster { name: HUB, listen: "127.0.0.1:{{ports[1]}}", routes: ["nats-route://127.0.0.1:{{ports[0]}}"] }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }
            """);
        await Leaf.UntilAsync(() => ours.Server.Routes?.Routes.Count == 1, "the mixed hub route is up");
        Assert.That(ours.Server.Routes!.Routes.Single().RemoteInfo!.LeafNodeOriginCluster, Is.True, "nats-server 2.9.10 announces lnoc");

        await using var l1 = await OurServer.StartAsync($$"""
            server_name: L1
            cluster { name: LC, listen: "127.0.0.1:{{ports[2]}}", routes: ["nats-route://127.0.0.1:{{ports[3]}}"] }
            leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{ours.LeafPort}}" } ] }
            """);
        await using var l2 = await OurServer.StartAsync($$"""
            server_name: L2
            cluster { name: LC, listen: "127.0.0.1:{{ports[3]}}", routes: ["nats-route://127.0.0.1:{{ports[2]}}"] }
            leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{go.LeafPort}}" } ] }
            """);
        await Leaf.UntilAsync(() => ours.LeafCount == 1 && l1.LeafCount == 1 && l2.LeafCount == 1 && l1.Server.Routes?.Routes.Count == 1, "both leaf members link and route");

        foreach (var (subscriber, publisher, subject) in new[] { (l1, l2, "once.a"), (l2, l1, "once.b") })
        {
            await using var sub = await subscriber.ClientAsync(NoInfoUpdates);
            // The probe below can take seconds under load; the server's keep-alive PING must not
            // be read as the message.
            sub.AnswerPings = true;
            await Leaf.SubAsync(sub, subject, "1");
            await Leaf.UntilAsync(() => publisher.HasInterest(subject) && ours.HasInterest(subject), "the interest reaches the other member and our hub member");
            // nats-server has the interest too once a message published on it arrives (so it has
            // decided what to tell L2). It may not have it yet: nothing here can ask it, so the
            // probe is published again until one arrives; a probe it dropped never comes later.
            await Leaf.UntilAsync(async () =>
            {
                await using (var probe = await go.ClientAsync(NoInfoUpdates))
                {
                    await Leaf.PubAsync(probe, subject, "via-go");
                }
                return await sub.CountAsync($"MSG {subject} 1 6\r\nvia-go\r\n", TimeSpan.FromMilliseconds(500)) > 0;
            }, "a message published on nats-server reaches the subscriber");
            Assert.That(publisher.HasLeafInterest(subject), Is.False, "neither hub member tells the leaf cluster its own interest");
            await using var pub = await publisher.ClientAsync(NoInfoUpdates);
            await Leaf.PubAsync(pub, subject, "x");
            await sub.ExpectMsgAsync(subject, "1", "x");
            await Leaf.ExpectSilenceAsync(sub, 500);
        }
    }
}
