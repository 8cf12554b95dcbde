using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>Our hub and our leaf: interest and messages both ways, auth, account binding, loops.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class OursToOursTests
{
    private static string HubConfig(int leafPort, string auth = "authorization { user: leaf, password: pw }", string extra = "") => $$"""
        {{extra}}
        leafnodes { listen: "127.0.0.1:{{leafPort}}", {{auth}} }
        """;

    private static string LeafConfig(string url, string remoteExtra = "", string extra = "") => $$"""
        {{extra}}
        leafnodes { reconnect: 1, remotes: [ { url: "{{url}}" {{remoteExtra}} } ] }
        """;

    [Test]
    public async Task Messages_flow_both_ways_and_request_reply_crosses_the_link()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");

        await using var hubSub = await hub.ClientAsync();
        await using var leafSub = await leaf.ClientAsync();
        await Leaf.SubAsync(hubSub, "to.hub", "1");
        await Leaf.SubAsync(leafSub, "to.leaf", "2");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("to.hub") && hub.HasLeafInterest("to.leaf"), "interest crosses");

        await using var leafPub = await leaf.ClientAsync();
        await using var hubPub = await hub.ClientAsync();
        await Leaf.PubAsync(leafPub, "to.hub", "up");
        await hubSub.ExpectMsgAsync("to.hub", "1", "up");
        await Leaf.PubAsync(hubPub, "to.leaf", "down");
        await leafSub.ExpectMsgAsync("to.leaf", "2", "down");

        // Request from the leaf, answered on the hub, reply back over the link.
        await Leaf.SubAsync(hubSub, "service", "3");
        await Leaf.SubAsync(leafPub, "_INBOX.r1", "9");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("service") && hub.HasLeafInterest("_INBOX.r1"), "service and inbox interest");
        await leafPub.SendAsync("PUB service _INBOX.r1 4\r\nping\r\n");
        var request = await hubSub.ExpectMsgAsync("service", "3", "ping", "_INBOX.r1");
        await hubSub.SendAsync("PUB _INBOX.r1 4\r\npong\r\n");
        await leafPub.ExpectMsgAsync("_INBOX.r1", "9", "pong");
    }

    /// <summary>nats-server maps what a leaf sends with the hub account's mappings (LEAF kind), as a client's publish.</summary>
    [Test]
    public async Task The_hubs_subject_mappings_apply_to_messages_from_the_leaf()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, extra: "mappings { \"in.*\": \"mapped.$1\" }"));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var hubSub = await hub.ClientAsync();
        await Leaf.SubAsync(hubSub, "in.>", "1");
        await Leaf.SubAsync(hubSub, "mapped.>", "2");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("in.x"), "interest crosses");
        await using var leafPub = await leaf.ClientAsync();
        await Leaf.PubAsync(leafPub, "in.x", "up");
        await hubSub.ExpectMsgAsync("mapped.x", "2", "up");
        await Leaf.ExpectSilenceAsync(hubSub);
    }

    /// <summary>
    /// nats-server announces the hub account's mapping sources to its leafs as interest
    /// (<c>initLeafNodeSmapAndSendSubs</c>, and <c>forceAddToSmap</c> when mappings are added):
    /// a leaf publishing to a mapping source reaches the hub with nobody subscribed to the source.
    /// </summary>
    [Test]
    public async Task The_hubs_mapping_sources_are_announced_so_a_leaf_publish_reaches_the_mapping()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, extra: "mappings { \"in.*\": \"mapped.$1\" }"));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var hubSub = await hub.ClientAsync();
        await Leaf.SubAsync(hubSub, "mapped.>", "1");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("in.x") && leaf.HasLeafInterest("mapped.x"), "the mapping source and the subscription cross");
        await using var leafPub = await leaf.ClientAsync();
        await Leaf.PubAsync(leafPub, "in.x", "up");
        await hubSub.ExpectMsgAsync("mapped.x", "1", "up");

        // A mapping added later (an account JWT update) is announced too.
        var global = hub.Server.Accounts.Global;
        hub.Server.Accounts.Update((global.Definition ?? new Nats.Core.Config.AccountConfig { Name = global.Name }) with
        {
            Mappings =
            [
                .. global.Definition?.Mappings ?? [],
                new Nats.Core.Config.MappingConfig { Source = "more.*", Destinations = [new Nats.Core.Config.MappingDestinationConfig { Subject = "mapped.more.$1" }] },
            ],
        });
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("more.y"), "the new mapping source crosses");
        await Leaf.PubAsync(leafPub, "more.y", "later");
        await hubSub.ExpectMsgAsync("mapped.more.y", "1", "later");
        await Leaf.ExpectSilenceAsync(hubSub);
    }

    [Test]
    public async Task The_leaf_reconnects_when_the_hub_comes_back_and_announces_its_interest_again()
    {
        var port = FreePorts.Take();
        var hub = await OurServer.StartAsync(HubConfig(port));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var leafSub = await leaf.ClientAsync();
        await Leaf.SubAsync(leafSub, "again", "1");
        await hub.DisposeAsync();
        await Leaf.UntilAsync(() => leaf.LeafCount == 0, "the leaf sees the hub go");
        Assert.That(leaf.HasLeafInterest("again"), Is.False);

        await using var hub2 = await OurServer.StartAsync(HubConfig(port));
        await Leaf.UntilAsync(() => hub2.LeafCount == 1 && hub2.HasLeafInterest("again"), "the leaf reconnects and re-announces");
        await using var pub = await hub2.ClientAsync();
        await Leaf.PubAsync(pub, "again", "back");
        await leafSub.ExpectMsgAsync("again", "1", "back");
    }

    [Test]
    public async Task Unsubscribing_withdraws_the_interest_on_the_other_side()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var client = await leaf.ClientAsync();
        await Leaf.SubAsync(client, "gone.soon", "1");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("gone.soon"), "interest reaches the hub");
        await client.SendAsync("UNSUB 1\r\n");
        await client.PingAsync();
        await Leaf.UntilAsync(() => !hub.HasLeafInterest("gone.soon"), "interest leaves the hub");
    }

    [Test]
    public async Task A_message_never_returns_over_the_link_it_came_from()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        // Subscribers on both sides: each side has the other's interest.
        await using var hubSub = await hub.ClientAsync();
        await using var leafSub = await leaf.ClientAsync();
        await Leaf.SubAsync(hubSub, "both", "1");
        await Leaf.SubAsync(leafSub, "both", "2");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("both") && hub.HasLeafInterest("both"), "interest both ways");
        await using var pub = await leaf.ClientAsync();
        await Leaf.PubAsync(pub, "both", "once");
        await leafSub.ExpectMsgAsync("both", "2", "once");
        await hubSub.ExpectMsgAsync("both", "1", "once");
        await Leaf.ExpectSilenceAsync(leafSub, 500);
        await Leaf.ExpectSilenceAsync(hubSub, 100);
    }

    [Test]
    public async Task Queue_groups_prefer_local_members_and_use_the_link_when_there_are_none()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var hubWorker = await hub.ClientAsync();
        await using var leafWorker = await leaf.ClientAsync();
        await Leaf.SubAsync(hubWorker, "work", "1", "workers");
        await Leaf.SubAsync(leafWorker, "work", "2", "workers");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("work") && hub.HasLeafInterest("work"), "queue interest both ways");

        await using var leafPub = await leaf.ClientAsync();
        for (var i = 0; i < 20; i++)
        {
            await leafPub.SendAsync("PUB work 1\r\nx\r\n");
        }
        await leafPub.PingAsync();
        Assert.That(await leafWorker.CountAsync("MSG work 2 1", TimeSpan.FromSeconds(1)), Is.EqualTo(20), "the leaf's own member takes all");
        await Leaf.ExpectSilenceAsync(hubWorker);

        // Without a local member, the group's remote member is used.
        await leafWorker.SendAsync("UNSUB 2\r\n");
        await leafWorker.PingAsync();
        await Leaf.UntilAsync(() => !hub.HasLeafInterest("work"), "the leaf's member is gone from the hub");
        for (var i = 0; i < 5; i++)
        {
            await leafPub.SendAsync("PUB work 1\r\ny\r\n");
        }
        await leafPub.PingAsync();
        Assert.That(await hubWorker.CountAsync("MSG work 1 1", TimeSpan.FromSeconds(2)), Is.EqualTo(5));
    }

    [Test]
    public async Task Each_leaf_user_lands_in_its_own_account()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port,
            auth: "authorization { users: [ {user: la, password: pa, account: A}, {user: lb, password: pb, account: B} ] }",
            extra: "accounts { A { users: [ {user: a, password: a} ] }, B { users: [ {user: b, password: b} ] } }"));
        await using var leafA = await OurServer.StartAsync(LeafConfig($"nats-leaf://la:pa@127.0.0.1:{port}"));
        await using var leafB = await OurServer.StartAsync(LeafConfig($"nats-leaf://lb:pb@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 2, "both leafs connect");
        Assert.That(hub.Manager.Connections.Select(c => c.Account!.Name).Order(), Is.EqualTo(new[] { "A", "B" }));

        await using var subA = await leafA.ClientAsync();
        await using var subB = await leafB.ClientAsync();
        await Leaf.SubAsync(subA, "news", "1");
        await Leaf.SubAsync(subB, "news", "2");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("news", "A") && hub.HasLeafInterest("news", "B"), "interest in each account");
        Assert.That(hub.HasInterest("news"), Is.False, "nothing in the global account");

        await using var pubA = await hub.ClientAsync(Leaf.Connect("a", "a"));
        await Leaf.PubAsync(pubA, "news", "forA");
        await subA.ExpectMsgAsync("news", "1", "forA");
        await Leaf.ExpectSilenceAsync(subB);
    }

    [Test]
    public async Task A_wrong_password_is_refused_and_never_lands_in_any_account()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port,
            auth: "authorization { users: [ {user: la, password: pa, account: A} ] }",
            extra: "accounts { A {} }"));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://la:wrong@127.0.0.1:{port}"));
        await using var sub = await leaf.ClientAsync();
        await Leaf.SubAsync(sub, "secret", "1");
        await Task.Delay(2500);   // two attempts at least
        Assert.That(hub.LeafCount, Is.EqualTo(0));
        Assert.That(leaf.LeafCount, Is.EqualTo(0));
        Assert.That(hub.HasInterest("secret") || hub.HasInterest("secret", "A"), Is.False);
    }

    [Test]
    public async Task Without_leaf_credentials_a_server_with_auth_authenticates_the_leaf_as_a_client()
    {
        var port = FreePorts.Take();
        // No leafnodes.authorization users: the leaf must be a configured user (here of account A).
        await using var hub = await OurServer.StartAsync(HubConfig(port, auth: "authorization { account: A }",
            extra: "accounts { A { users: [ {user: a, password: a} ] } }"));
        await using var stranger = await OurServer.StartAsync(LeafConfig($"nats-leaf://127.0.0.1:{port}"));
        await using var member = await OurServer.StartAsync(LeafConfig($"nats-leaf://a:a@127.0.0.1:{port}"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && member.LeafCount == 1, "the configured user connects");
        await Task.Delay(1500);
        Assert.That(stranger.LeafCount, Is.EqualTo(0), "a leaf without credentials is refused when the server has auth");
        Assert.That(hub.Manager.Connections.Single().Account!.Name, Is.EqualTo("A"));
    }

    [Test]
    public async Task A_remote_with_hub_true_makes_the_soliciting_server_the_hub()
    {
        var port = FreePorts.Take();
        await using var accepting = await OurServer.StartAsync(HubConfig(port));
        await using var soliciting = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}", remoteExtra: ", hub: true"));
        await Leaf.UntilAsync(() => accepting.LeafCount == 1 && soliciting.LeafCount == 1, "the link is up");
        Assert.That(soliciting.Manager.Connections.Single().IsSpoke, Is.False, "the solicitor is the hub");
        Assert.That(accepting.Manager.Connections.Single().IsSpoke, Is.True, "the accepting side took the spoke role");
        Assert.That(await Leaf.ToJsonAsync(accepting, "/leafz"), Does.Contain("\"is_spoke\": true"));
    }

    [Test]
    public async Task A_remote_binds_its_local_account()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port));
        await using var leaf = await OurServer.StartAsync(LeafConfig($"nats-leaf://leaf:pw@127.0.0.1:{port}", ", account: L",
            extra: "accounts { L { users: [ {user: l, password: l} ] }, O { users: [ {user: o, password: o} ] } }"));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var hubSub = await hub.ClientAsync();
        await Leaf.SubAsync(hubSub, "up", "1");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("up", "L"), "hub interest lands in L");
        Assert.That(leaf.HasInterest("up", "O") || leaf.HasInterest("up"), Is.False);
        await using var other = await leaf.ClientAsync(Leaf.Connect("o", "o"));
        await Leaf.PubAsync(other, "up", "no");
        await using var local = await leaf.ClientAsync(Leaf.Connect("l", "l"));
        await Leaf.PubAsync(local, "up", "yes");
        await hubSub.ExpectMsgAsync("up", "1", "yes");
        await Leaf.ExpectSilenceAsync(hubSub);
    }
}

/// <summary>Loops, deny lists, a cluster behind the hub.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class TopologyTests
{
    [Test]
    public async Task Two_servers_that_are_each_others_leaf_detect_the_loop_and_both_log_it()
    {
        var ports = FreePorts.Take(2);
        var logsA = new ListLoggerProvider(LogLevel.Information);
        var logsB = new ListLoggerProvider(LogLevel.Information);
        await using var a = await OurServer.StartAsync($$"""
            server_name: A
            leafnodes { listen: "127.0.0.1:{{ports[0]}}", reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{ports[1]}}" } ] }
            """, logsA);
        await using var b = await OurServer.StartAsync($$"""
            server_name: B
            leafnodes { listen: "127.0.0.1:{{ports[1]}}", reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{ports[0]}}" } ] }
            """, logsB);
        await Leaf.UntilAsync(() => logsA.Contains("Loop detected for leafnode account=\"$G\"") || logsB.Contains("Loop detected for leafnode account=\"$G\""), "a loop is detected");
        // The side that saw its own $LDS subject sends the error; the other logs what it received.
        await Leaf.UntilAsync(() => logsA.Contains("Loop detected") && logsB.Contains("Loop detected"), "both ends log it");
    }

    [Test]
    public async Task Deny_imports_and_exports_of_a_remote_are_enforced()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}" }""");
        await using var leaf = await OurServer.StartAsync($$"""
            leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}", deny_imports: ["private.>"], deny_exports: ["secret.>"] } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var leafSub = await leaf.ClientAsync();
        await Leaf.SubAsync(leafSub, "private.x", "1");
        await Leaf.SubAsync(leafSub, "public.x", "2");
        await using var hubSub = await hub.ClientAsync();
        await Leaf.SubAsync(hubSub, "secret.x", "3");
        await Leaf.SubAsync(hubSub, "open.x", "4");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("public.x") && leaf.HasLeafInterest("open.x"), "allowed interest crosses");
        Assert.That(hub.HasLeafInterest("private.x"), Is.False, "a denied import is never announced to the hub");

        await using var hubPub = await hub.ClientAsync();
        await Leaf.PubAsync(hubPub, "private.x", "no");
        await Leaf.PubAsync(hubPub, "public.x", "yes");
        await leafSub.ExpectMsgAsync("public.x", "2", "yes");
        await using var leafPub = await leaf.ClientAsync();
        await Leaf.PubAsync(leafPub, "secret.x", "no");
        await Leaf.PubAsync(leafPub, "open.x", "yes");
        await hubSub.ExpectMsgAsync("open.x", "4", "yes");
        await Leaf.ExpectSilenceAsync(hubSub);
        await Leaf.ExpectSilenceAsync(leafSub);
    }

    [Test]
    public async Task A_leaf_of_one_cluster_member_reaches_clients_of_the_other()
    {
        var ports = FreePorts.Take(3);
        await using var h1 = await OurServer.StartAsync($$"""
            server_name: H1
            cluster { name: C, listen: "127.0.0.1:{{ports[0]}}", routes: ["nats-route://127.0.0.1:{{ports[1]}}"] }
            leafnodes { listen: "127.0.0.1:{{ports[2]}}" }
            """);
        await using var h2 = await OurServer.StartAsync($$"""
            server_name: H2
            cluster { name: C, listen: "127.0.0.1:{{ports[1]}}", routes: ["nats-route://127.0.0.1:{{ports[0]}}"] }
            """);
        await using var leaf = await OurServer.StartAsync($$"""
            server_name: L
            leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{ports[2]}}" } ] }
            """);
        await Leaf.UntilAsync(() => h1.LeafCount == 1 && h1.Server.Routes?.Routes.Count == 1, "leaf and route are up");
        await using var h2Sub = await h2.ClientAsync();
        await Leaf.SubAsync(h2Sub, "from.leaf", "1");
        await using var leafSub = await leaf.ClientAsync();
        await Leaf.SubAsync(leafSub, "from.h2", "2");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("from.leaf") && h2.HasInterest("from.h2"), "interest crosses route and leaf");

        await using var leafPub = await leaf.ClientAsync();
        await Leaf.PubAsync(leafPub, "from.leaf", "a");
        await h2Sub.ExpectMsgAsync("from.leaf", "1", "a");
        await using var h2Pub = await h2.ClientAsync();
        await Leaf.PubAsync(h2Pub, "from.h2", "b");
        await leafSub.ExpectMsgAsync("from.h2", "2", "b");
        await Leaf.ExpectSilenceAsync(leafSub);
    }
}

/// <summary>The hub's single leaf nkey: our leaf signs the nonce with its seed; a wrong key is refused.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class NKeyTests
{
    [Test]
    public async Task A_leaf_signing_with_the_configured_nkey_binds_to_the_authorization_account()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            accounts { A { users: [ {user: a, password: a} ] } }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { nkey: {{Interop.Keys.UserPublic}}, account: A } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}", nkey: "{{Interop.Keys.UserSeed}}" } ] }""");
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the nkey leaf connects");
        Assert.That(hub.Manager.Connections.Single().Account!.Name, Is.EqualTo("A"));
        Assert.That(leaf.Manager.Connections.Single().RemoteAccountOrUser, Is.EqualTo("A"));
    }

    [Test]
    public async Task A_leaf_with_another_nkey_is_refused_and_both_sides_log_why()
    {
        var port = FreePorts.Take();
        using var other = Nats.Core.Security.NKeyPair.Create(Nats.Core.Security.NKeyPrefix.User);
        var hubLogs = new ListLoggerProvider(LogLevel.Information);
        var leafLogs = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await OurServer.StartAsync($$"""
            accounts { A {} }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { nkey: {{Interop.Keys.UserPublic}}, account: A } }
            """, hubLogs);
        await using var leaf = await OurServer.StartAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}", nkey: "{{other.Seed}}" } ] }""", leafLogs);
        await using var sub = await leaf.ClientAsync();
        await Leaf.SubAsync(sub, "x", "1");
        await Leaf.UntilAsync(() => hubLogs.Contains("authentication error") && leafLogs.Contains("Authorization Violation"), "both sides log the refusal");
        Assert.That((hub.LeafCount, leaf.LeafCount), Is.EqualTo((0, 0)));
        Assert.That(hub.HasInterest("x", "A") || hub.HasInterest("x"), Is.False);
        Assert.That(await Leaf.ToJsonAsync(hub, "/leafz"), Does.Contain("\"leafnodes\": 0"));
    }
}

/// <summary>Two leafs of one hub reach each other through it.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class LeafToLeafTests
{
    [Test]
    public async Task A_message_from_one_leaf_reaches_a_subscriber_on_another_leaf_once()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}" }""");
        await using var leaf1 = await OurServer.StartAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}" } ] }""");
        await using var leaf2 = await OurServer.StartAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}" } ] }""");
        await Leaf.UntilAsync(() => hub.LeafCount == 2, "both leafs connect");
        await using var sub = await leaf2.ClientAsync();
        await Leaf.SubAsync(sub, "across", "1");
        await Leaf.UntilAsync(() => leaf1.HasLeafInterest("across"), "leaf2's interest reaches leaf1 through the hub");
        await using var pub = await leaf1.ClientAsync();
        await Leaf.PubAsync(pub, "across", "hop");
        await sub.ExpectMsgAsync("across", "1", "hop");
        await Leaf.ExpectSilenceAsync(sub);
        await sub.SendAsync("UNSUB 1\r\n");
        await sub.PingAsync();
        await Leaf.UntilAsync(() => !leaf1.HasLeafInterest("across"), "and leaves when it unsubscribes");
    }
}
