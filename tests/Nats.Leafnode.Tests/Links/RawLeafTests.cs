using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>The hub side on the wire, driven by the test as the leaf.</summary>
[TestFixture]
[CancelAfter(30_000)]
[NonParallelizable]
public sealed class RawLeafTests
{
    private static async Task<(OurServer Hub, RawClient Leaf)> ConnectAsync(string auth = "", string connect = """{"name":"raw","headers":true}""")
    {
        var port = FreePorts.Take();
        var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}" {{auth}} }""");
        var leaf = await RawClient.ConnectAsync(port);
        await leaf.SendAsync($"CONNECT {connect}\r\n");
        return (hub, leaf);
    }

    [Test]
    public async Task The_first_info_is_a_leafnode_info_with_a_nonce()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}" }""");
        await using var raw = await RawClient.ConnectAsync(port);
        var info = raw.Info;
        Assert.That(info.GetProperty("auth_required").GetBoolean(), Is.True);
        Assert.That(info.GetProperty("info_on_connect").GetBoolean(), Is.True);
        Assert.That(info.GetProperty("nonce").GetString(), Has.Length.EqualTo(15));
        Assert.That(info.GetProperty("client_id").GetUInt64(), Is.GreaterThan(0));
        Assert.That(info.GetProperty("leafnode_urls")[0].GetString(), Is.EqualTo($"127.0.0.1:{port}"));
        Assert.That(info.GetProperty("server_id").GetString(), Is.EqualTo(hub.Server.ServerId));
    }

    [Test]
    public async Task Connect_is_answered_with_the_bound_account_then_interest_with_queue_weights()
    {
        var (hub, leaf) = await ConnectAsync();
        await using var _ = hub;
        await using var __ = leaf;
        var (info, lds) = await Leaf.ReadHandshakeAsync(leaf);
        Assert.That(info, Does.StartWith("INFO ").And.Contain("\"connect_info\":true").And.Contain("\"remote_account\":\"$G\""));
        Assert.That(lds, Does.Match(@"^LS\+ \$LDS\.[0-9A-Za-z]{22}$"));

        await using var w1 = await hub.ClientAsync();
        await using var w2 = await hub.ClientAsync();
        await Leaf.SubAsync(w1, "work", "1", "q");
        await leaf.ExpectLineAsync("LS+ work q 1");
        await Leaf.SubAsync(w2, "work", "1", "q");
        await leaf.ExpectLineAsync("LS+ work q 2");
        await Leaf.SubAsync(w1, "plain", "2");
        await leaf.ExpectLineAsync("LS+ plain");
        await Leaf.SubAsync(w2, "plain", "2");   // a second plain subscriber changes nothing on the wire
        await w2.SendAsync("UNSUB 1\r\n");
        await w2.PingAsync();
        await leaf.ExpectLineAsync("LS+ work q 1");
        await w1.SendAsync("UNSUB 1\r\n");
        await w1.PingAsync();
        await leaf.ExpectLineAsync("LS- work q");
    }

    [Test]
    public async Task Leaf_interest_and_messages_reach_hub_clients_and_queue_weights_count()
    {
        var (hub, leaf) = await ConnectAsync();
        await using var _ = hub;
        await using var __ = leaf;
        await Leaf.ReadHandshakeAsync(leaf);
        await leaf.SendAsync("LS+ from.leaf\r\nLS+ jobs g 3\r\n");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("from.leaf") && hub.HasLeafInterest("jobs"), "the leaf's interest");
        var group = hub.Account(null).Sublist.Match("jobs").QueueGroups[0];
        Assert.That(group.TotalWeight, Is.EqualTo(3));

        await using var sub = await hub.ClientAsync();
        await Leaf.SubAsync(sub, "from.leaf", "1");
        await leaf.ExpectLineAsync("LS+ from.leaf");
        await leaf.SendAsync("LMSG from.leaf reply.to 2\r\nhi\r\nHMSG from.leaf 12 14\r\nNATS/1.0\r\n\r\nho\r\n");
        await sub.ExpectMsgAsync("from.leaf", "1", "hi", "reply.to");
        var frame = await sub.ReadMessageAsync();
        Assert.That((frame.HasHeaders, frame.PayloadText), Is.EqualTo((true, "ho")));

        // A hub publisher reaches the leaf's queue group through the link, naming the group.
        await using var pub = await hub.ClientAsync();
        await Leaf.PubAsync(pub, "jobs", "j");
        await leaf.ExpectLineAsync("LMSG jobs | g 1");
        await leaf.ExpectLineAsync("j");

        await leaf.SendAsync("LS- jobs g\r\n");
        await Leaf.UntilAsync(() => !hub.HasLeafInterest("jobs"), "the leaf's queue interest leaves");
    }

    [Test]
    public async Task A_leaf_that_sends_no_connect_in_time_gets_authentication_timeout()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}", authorization { user: leaf, password: pw, timeout: 1 } }""");
        await using var silent = await RawClient.ConnectAsync(port);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await silent.ExpectErrAndCloseAsync("Authentication Timeout");
        Assert.That(started.Elapsed, Is.GreaterThan(TimeSpan.FromMilliseconds(800)), "not before the configured second");
        Assert.That(hub.LeafCount, Is.EqualTo(0));
    }

    [Test]
    public async Task A_client_on_the_leaf_port_is_refused()
    {
        var (hub, leaf) = await ConnectAsync(connect: """{"lang":"go","version":"1.0"}""");
        await using var _ = hub;
        await using var __ = leaf;
        await leaf.ExpectErrAndCloseAsync("attempted to connect to leaf node port");
    }

    [Test]
    public async Task Interest_before_connect_is_an_authorization_violation()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}" }""");
        await using var raw = await RawClient.ConnectAsync(port);
        await raw.SendAsync("LS+ foo\r\n");
        await raw.ExpectErrAndCloseAsync("Authorization Violation");
        Assert.That(hub.HasInterest("foo"), Is.False);
    }

    [Test]
    public async Task Our_own_loop_detection_subject_coming_back_closes_the_link()
    {
        var (hub, leaf) = await ConnectAsync();
        await using var _ = hub;
        await using var __ = leaf;
        var lds = (await Leaf.ReadHandshakeAsync(leaf)).LoopDetection["LS+ ".Length..];
        await leaf.SendAsync($"LS+ {lds}\r\n");
        await leaf.ExpectErrAndCloseAsync("Loop detected for leafnode account=\"$G\". Delaying attempt to reconnect for 30s");
    }

    [Test]
    public async Task A_wrong_password_gets_authorization_violation_and_binds_nothing()
    {
        var (hub, leaf) = await ConnectAsync(", authorization { user: u, password: p }", """{"name":"raw","user":"u","pass":"x"}""");
        await using var _ = hub;
        await using var __ = leaf;
        await leaf.ExpectErrAndCloseAsync("Authorization Violation");
        Assert.That(hub.LeafCount, Is.EqualTo(0));
    }
}

/// <summary>Hub-side limits: min_version and the account's max_leafnodes.</summary>
[TestFixture]
[CancelAfter(30_000)]
[NonParallelizable]
public sealed class HubLimitTests
{
    [Test]
    public async Task A_leaf_older_than_min_version_is_refused_with_nats_servers_error()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}", min_version: "2.9.0" }""");
        await using var old = await RawClient.ConnectAsync(port);
        await old.SendAsync("CONNECT {\"version\":\"2.8.4\",\"name\":\"old\"}\r\n");
        await old.ExpectErrAndCloseAsync("connection rejected since minimum version required is \"2.9.0\"");
        await using var recent = await RawClient.ConnectAsync(port);
        await recent.SendAsync("CONNECT {\"version\":\"2.9.10\",\"name\":\"new\"}\r\n");
        Assert.That(await recent.ReadLineAsync(), Does.Contain("\"connect_info\":true"));
    }

    [Test]
    public async Task An_account_at_its_max_leafnodes_refuses_one_more()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            accounts { A { limits { max_leafnodes: 1 } } }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { account: A } }
            """);
        await using var first = await RawClient.ConnectAsync(port);
        await first.SendAsync("CONNECT {\"name\":\"one\"}\r\n");
        Assert.That(await first.ReadLineAsync(), Does.Contain("\"remote_account\":\"A\""));
        await using var second = await RawClient.ConnectAsync(port);
        await second.SendAsync("CONNECT {\"name\":\"two\"}\r\n");
        await second.ExpectErrAndCloseAsync("maximum account active connections exceeded");
        Assert.That(hub.LeafCount, Is.EqualTo(1));
    }

    [TestCase("2.9.10", "2.9.0", true)]
    [TestCase("2.10.0", "2.9.10", true)]
    [TestCase("2.8.4", "2.9.0", false)]
    [TestCase("", "2.8.0", false)]
    [TestCase("2.9.0-beta.1", "2.9.0", true)]
    public void Versions_compare_as_nats_server_compares_them(string version, string minimum, bool atLeast)
    {
        Assert.That(Nats.Leafnode.Links.LeafConnection.VersionAtLeast(version, minimum), Is.EqualTo(atLeast));
    }
}
