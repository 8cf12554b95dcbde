using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>Our server as the leaf of nats-server 2.9.10, and nats-server 2.9.10 as the leaf of ours.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class InteropTests
{
    private static string OurLeaf(string url, string remoteExtra = "", string extra = "") => $$"""
        {{extra}}
        leafnodes { reconnect: 1, remotes: [ { url: "{{url}}" {{remoteExtra}} } ] }
        """;

    // ---- nats-server hub, our leaf ----

    [Test]
    public async Task Our_leaf_of_a_nats_server_hub_carries_pub_sub_and_request_reply_both_ways()
    {
        await using var hub = await ReferenceServer.StartWithPortsAsync("""leafnodes { listen: "127.0.0.1:{LEAF_PORT}", authorization { user: leaf, password: pw } }""");
        await using var leaf = await OurServer.StartAsync(OurLeaf($"nats-leaf://leaf:pw@127.0.0.1:{hub.LeafPort}"));
        await Leaf.UntilAsync(() => leaf.LeafCount == 1, "our leaf connects to nats-server");
        await Leaf.UntilAsync(async () => await hub.LeafCountAsync() == 1, "nats-server lists the leaf");

        await using var hubSub = await hub.ClientAsync();
        await using var leafSub = await leaf.ClientAsync();
        await Leaf.SubAsync(hubSub, "to.hub", "1");
        await Leaf.SubAsync(leafSub, "to.leaf", "2");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("to.hub"), "nats-server's interest reaches our leaf");
        await Leaf.UntilAsync(() => hub.LeafHasSubAsync("to.leaf"), "our interest reaches nats-server");

        await using var leafPub = await leaf.ClientAsync();
        await Leaf.PubAsync(leafPub, "to.hub", "up");
        await hubSub.ExpectMsgAsync("to.hub", "1", "up");
        await using var hubPub = await hub.ClientAsync();
        await hubPub.SendAsync("HPUB to.leaf 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
        await hubPub.PingAsync();
        var frame = await leafSub.ReadMessageAsync();
        Assert.That((frame.Subject, frame.HasHeaders, frame.PayloadText), Is.EqualTo(("to.leaf", true, "hi")), "headers cross too");

        // Request from our leaf, served on nats-server.
        await Leaf.SubAsync(hubSub, "svc", "3");
        await Leaf.SubAsync(leafPub, "_INBOX.x", "9");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("svc"), "service interest");
        await Leaf.UntilAsync(() => hub.LeafHasSubAsync("_INBOX.x"), "inbox interest");
        await leafPub.SendAsync("PUB svc _INBOX.x 3\r\nreq\r\n");
        await hubSub.ExpectMsgAsync("svc", "3", "req", "_INBOX.x");
        await hubSub.SendAsync("PUB _INBOX.x 3\r\nrep\r\n");
        await leafPub.ExpectMsgAsync("_INBOX.x", "9", "rep");

        // And a request from nats-server served on our leaf.
        await Leaf.SubAsync(leafSub, "leafsvc", "4");
        await Leaf.SubAsync(hubPub, "_INBOX.y", "8");
        await Leaf.UntilAsync(() => hub.LeafHasSubAsync("leafsvc"), "leaf service interest");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("_INBOX.y"), "hub inbox interest");
        await hubPub.SendAsync("PUB leafsvc _INBOX.y 3\r\nreq\r\n");
        await leafSub.ExpectMsgAsync("leafsvc", "4", "req", "_INBOX.y");
        await leafSub.SendAsync("PUB _INBOX.y 3\r\nrep\r\n");
        await hubPub.ExpectMsgAsync("_INBOX.y", "8", "rep");
    }

    [Test]
    public async Task A_nats_server_hub_binds_each_of_our_leafs_to_its_users_account()
    {
        await using var hub = await ReferenceServer.StartWithPortsAsync("""
            accounts { A { users: [ {user: a, password: a} ] }, B { users: [ {user: b, password: b} ] } }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}", authorization { users: [ {user: la, password: pa, account: A}, {user: lb, password: pb, account: B} ] } }
            """);
        await using var leafA = await OurServer.StartAsync(OurLeaf($"nats-leaf://la:pa@127.0.0.1:{hub.LeafPort}"));
        await using var leafB = await OurServer.StartAsync(OurLeaf($"nats-leaf://lb:pb@127.0.0.1:{hub.LeafPort}"));
        await Leaf.UntilAsync(() => leafA.LeafCount == 1 && leafB.LeafCount == 1, "both leafs connect");
        Assert.That(leafA.Manager.Connections.Single().RemoteAccountOrUser, Is.EqualTo("A"), "the hub's INFO names the account bound there");

        await using var subA = await leafA.ClientAsync();
        await using var subB = await leafB.ClientAsync();
        await Leaf.SubAsync(subA, "news", "1");
        await Leaf.SubAsync(subB, "news", "2");
        await Leaf.UntilAsync(async () => await hub.LeafHasSubAsync("news", "A") && await hub.LeafHasSubAsync("news", "B"), "interest in both accounts");
        await using var pubA = await hub.ClientAsync(Leaf.Connect("a", "a"));
        await Leaf.PubAsync(pubA, "news", "forA");
        await subA.ExpectMsgAsync("news", "1", "forA");
        await Leaf.ExpectSilenceAsync(subB);
    }

    [Test]
    public async Task A_nats_server_hub_refuses_our_leaf_with_a_wrong_password()
    {
        await using var hub = await ReferenceServer.StartWithPortsAsync("""
            accounts { A { users: [ {user: a, password: a} ] } }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}", authorization { users: [ {user: la, password: pa, account: A} ] } }
            """);
        await using var leaf = await OurServer.StartAsync(OurLeaf($"nats-leaf://la:nope@127.0.0.1:{hub.LeafPort}"));
        await using var sub = await leaf.ClientAsync();
        await Leaf.SubAsync(sub, "secret", "1");
        await Task.Delay(2500);
        Assert.That(leaf.LeafCount, Is.EqualTo(0));
        Assert.That(await hub.LeafCountAsync(), Is.EqualTo(0));
        await using var pub = await hub.ClientAsync(Leaf.Connect("a", "a"));
        await Leaf.PubAsync(pub, "secret", "leak");
        await Leaf.ExpectSilenceAsync(sub);
    }

    [Test]
    public async Task Our_leaf_signs_the_nonce_of_a_nats_server_hub_with_its_nkey_seed()
    {
        await using var hub = await ReferenceServer.StartWithPortsAsync($$"""
            accounts { A { users: [ {user: a, password: a}, {nkey: {{Keys.UserPublic}}} ] } }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }
            """);
        await using var leaf = await OurServer.StartAsync(OurLeaf($"nats-leaf://127.0.0.1:{hub.LeafPort}", $", nkey: \"{Keys.UserSeed}\""));
        await Leaf.UntilAsync(() => leaf.LeafCount == 1, "the nkey leaf connects");
        await using var sub = await leaf.ClientAsync();
        await Leaf.SubAsync(sub, "signed", "1");
        await Leaf.UntilAsync(() => hub.LeafHasSubAsync("signed", "A"), "interest in the nkey user's account");
        await using var pub = await hub.ClientAsync(Leaf.Connect("a", "a"));
        await Leaf.PubAsync(pub, "signed", "ok");
        await sub.ExpectMsgAsync("signed", "1", "ok");
    }

    // ---- our hub, nats-server leaf ----

    [Test]
    public async Task A_nats_server_leaf_of_our_hub_carries_pub_sub_request_reply_and_queues()
    {
        var leafPort = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{leafPort}}", authorization { user: leaf, password: pw } }""");
        await using var leaf = await ReferenceServer.StartWithPortsAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{leafPort}}" } ] }""");
        await Leaf.UntilAsync(() => hub.LeafCount == 1, "nats-server's leaf connects to our hub");
        await Leaf.UntilAsync(async () => await leaf.LeafCountAsync() == 1, "nats-server lists its hub");

        await using var hubSub = await hub.ClientAsync();
        await using var leafSub = await leaf.ClientAsync();
        await Leaf.SubAsync(hubSub, "to.hub", "1");
        await Leaf.SubAsync(leafSub, "to.leaf", "2");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("to.leaf"), "nats-server's interest reaches our hub");
        await Leaf.UntilAsync(() => leaf.LeafHasSubAsync("to.hub"), "our interest reaches the nats-server leaf");

        await using var leafPub = await leaf.ClientAsync();
        await Leaf.PubAsync(leafPub, "to.hub", "up");
        await hubSub.ExpectMsgAsync("to.hub", "1", "up");
        await using var hubPub = await hub.ClientAsync();
        await Leaf.PubAsync(hubPub, "to.leaf", "down");
        await leafSub.ExpectMsgAsync("to.leaf", "2", "down");

        // Request from the nats-server leaf, served on our hub.
        await Leaf.SubAsync(hubSub, "svc", "3");
        await Leaf.SubAsync(leafPub, "_INBOX.z", "9");
        await Leaf.UntilAsync(() => leaf.LeafHasSubAsync("svc"), "service interest");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("_INBOX.z"), "inbox interest");
        await leafPub.SendAsync("PUB svc _INBOX.z 3\r\nreq\r\n");
        await hubSub.ExpectMsgAsync("svc", "3", "req", "_INBOX.z");
        await hubSub.SendAsync("PUB _INBOX.z 3\r\nrep\r\n");
        await leafPub.ExpectMsgAsync("_INBOX.z", "9", "rep");

        // Queue group with a member on each side: each side's publisher is served locally.
        await using var hubWorker = await hub.ClientAsync();
        await using var leafWorker = await leaf.ClientAsync();
        await Leaf.SubAsync(hubWorker, "work", "5", "q");
        await Leaf.SubAsync(leafWorker, "work", "6", "q");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("work"), "queue interest at the hub");
        await Leaf.UntilAsync(() => leaf.LeafHasSubAsync("work"), "queue interest at the leaf");
        for (var i = 0; i < 10; i++)
        {
            await hubPub.SendAsync("PUB work 1\r\nh\r\n");
        }
        await hubPub.PingAsync();
        Assert.That(await hubWorker.CountAsync("MSG work 5 1", TimeSpan.FromSeconds(1)), Is.EqualTo(10));
        await Leaf.ExpectSilenceAsync(leafWorker);
        await leafWorker.SendAsync("UNSUB 6\r\n");
        await leafWorker.PingAsync();
        await Leaf.UntilAsync(() => !hub.HasLeafInterest("work"), "the leaf's member leaves");
        for (var i = 0; i < 10; i++)
        {
            await leafPub.SendAsync("PUB work 1\r\nl\r\n");
        }
        await leafPub.PingAsync();
        Assert.That(await hubWorker.CountAsync("MSG work 5 1", TimeSpan.FromSeconds(2)), Is.EqualTo(10), "with no local member the leaf uses the hub's");
    }

    [Test]
    public async Task Our_hub_binds_nats_server_leafs_to_their_users_accounts_and_refuses_a_wrong_password()
    {
        var leafPort = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            accounts { A { users: [ {user: a, password: a} ] }, B { users: [ {user: b, password: b} ] } }
            leafnodes { listen: "127.0.0.1:{{leafPort}}", authorization { users: [ {user: la, password: pa, account: A}, {user: lb, password: pb, account: B} ] } }
            """);
        await using var leafA = await ReferenceServer.StartWithPortsAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://la:pa@127.0.0.1:{{leafPort}}" } ] }""");
        await using var bad = await ReferenceServer.StartWithPortsAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://lb:wrong@127.0.0.1:{{leafPort}}" } ] }""");
        await Leaf.UntilAsync(() => hub.LeafCount == 1, "the good leaf connects");
        await Task.Delay(2000);
        Assert.That(hub.Manager.Connections.Select(c => c.Account!.Name), Is.EqualTo(new[] { "A" }), "the bad one never binds");
        Assert.That(await bad.LeafCountAsync(), Is.EqualTo(0));

        await using var leafSub = await leafA.ClientAsync();
        await using var badSub = await bad.ClientAsync();
        await Leaf.SubAsync(leafSub, "acct", "1");
        await Leaf.SubAsync(badSub, "acct", "2");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("acct", "A"), "interest in A");
        Assert.That(hub.HasInterest("acct") || hub.HasInterest("acct", "B"), Is.False);
        await using var pubA = await hub.ClientAsync(Leaf.Connect("a", "a"));
        await Leaf.PubAsync(pubA, "acct", "ok");
        await leafSub.ExpectMsgAsync("acct", "1", "ok");
        await using var pubB = await hub.ClientAsync(Leaf.Connect("b", "b"));
        await Leaf.PubAsync(pubB, "acct", "no");
        await Leaf.ExpectSilenceAsync(badSub);
    }
}

/// <summary>A user nkey pair for the tests (from nkeys' test vectors style: generated once).</summary>
public static class Keys
{
    private static readonly Lazy<(string Seed, string Public)> Pair = new(() =>
    {
        using var pair = Nats.Core.Security.NKeyPair.Create(Nats.Core.Security.NKeyPrefix.User);
        return (pair.Seed, pair.PublicKey);
    });

    public static string UserSeed => Pair.Value.Seed;

    public static string UserPublic => Pair.Value.Public;
}
