using System.Text.Json;
using Nats.Core.Monitoring;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>/leafz, the leaf block of /varz, and leafs in /connz and the account's STATZ/CONNS.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class MonitoringTests
{
    private static JsonElement Get(OurServer server, string path, params (string, string)[] query) =>
        JsonDocument.Parse(MonitoringServer.Serialize(server.Server.Monitoring.Invoke(path, query.Select(q => KeyValuePair.Create(q.Item1, q.Item2))))).RootElement;

    [Test]
    public async Task Leafz_lists_each_link_with_its_account_and_subscriptions_and_varz_counts_them()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            server_name: HUB
            accounts { A { users: [ {user: a, password: a} ] } }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { user: l, password: p, account: A } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""
            server_name: LEAF
            leafnodes { remotes: [ { url: "nats-leaf://l:p@127.0.0.1:{{port}}", deny_exports: ["x.>"] } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var client = await leaf.ClientAsync();
        await Leaf.SubAsync(client, "watched", "1");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("watched", "A"), "interest arrives");

        var leafz = Get(hub, "/leafz", ("subs", "1"));
        Assert.That(leafz.GetProperty("leafnodes").GetInt32(), Is.EqualTo(1));
        var entry = leafz.GetProperty("leafs")[0];
        Assert.That((entry.GetProperty("name").GetString(), entry.GetProperty("account").GetString(), entry.GetProperty("is_spoke").GetBoolean(), entry.GetProperty("ip").GetString()),
            Is.EqualTo(("LEAF", "A", false, "127.0.0.1")));
        var subs = entry.GetProperty("subscriptions_list").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.That(subs, Does.Contain("watched"));
        Assert.That(entry.GetProperty("subscriptions").GetInt32(), Is.EqualTo(subs.Count));
        Assert.That(Get(hub, "/leafz", ("acc", "B")).GetProperty("leafnodes").GetInt32(), Is.EqualTo(0));
        Assert.That(Get(leaf, "/leafz").GetProperty("leafs")[0].GetProperty("is_spoke").GetBoolean(), Is.True);

        var hubVarz = Get(hub, "/varz");
        Assert.That((hubVarz.GetProperty("leaf").GetProperty("port").GetInt32(), hubVarz.GetProperty("leafnodes").GetInt32()), Is.EqualTo((port, 1)));
        var remote = Get(leaf, "/varz").GetProperty("leaf").GetProperty("remotes")[0];
        Assert.That(remote.GetProperty("urls")[0].GetString(), Is.EqualTo($"127.0.0.1:{port}"));
        Assert.That(remote.GetProperty("deny").GetProperty("exports")[0].GetString(), Is.EqualTo("x.>"));
    }

    [Test]
    public async Task Metrics_has_the_exporters_leafz_series_with_the_numbers_of_leafz()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            server_name: HUB
            accounts { A { users: [ {user: a, password: a} ] } }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { user: l, password: p, account: A } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""
            server_name: LEAF
            leafnodes { remotes: [ { url: "nats-leaf://l:p@127.0.0.1:{{port}}" } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var client = await leaf.ClientAsync();
        await Leaf.SubAsync(client, "watched", "1");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("watched", "A"), "interest arrives");

        var writer = new StringWriter();
        hub.Server.Metrics.WritePrometheusText(writer);
        var text = writer.ToString();
        var entry = Get(hub, "/leafz").GetProperty("leafs")[0];
        var labels = $"server_id=\"{hub.Server.ServerId}\",account=\"A\",account_id=\"A\",ip=\"127.0.0.1\",port=\"{entry.GetProperty("port").GetInt32()}\",name=\"LEAF\"";
        double Value(string name)
        {
            var line = text.Split('\n').SingleOrDefault(l => l.StartsWith($"gnatsd_leafz_{name}{{", StringComparison.Ordinal));
            Assert.That(line, Is.Not.Null, $"gnatsd_leafz_{name} in:\n{text}");
            Assert.That(line, Does.StartWith($"gnatsd_leafz_{name}{{{labels}}} "));
            return double.Parse(line![(line!.LastIndexOf('}') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.That(Value("info"), Is.EqualTo(1));
        // /leafz was read after /metrics: its counters can only be the same or higher.
        Assert.That(Value("conn_in_msgs"), Is.InRange(0, entry.GetProperty("in_msgs").GetInt64()));
        Assert.That(Value("conn_out_msgs"), Is.InRange(0, entry.GetProperty("out_msgs").GetInt64()));
        Assert.That(Value("conn_in_bytes"), Is.InRange(0, entry.GetProperty("in_bytes").GetInt64()));
        Assert.That(Value("conn_out_bytes"), Is.InRange(0, entry.GetProperty("out_bytes").GetInt64()));
        Assert.That(Value("conn_rtt"), Is.GreaterThanOrEqualTo(0).And.LessThan(1));
        Assert.That(text, Does.Contain("# TYPE gnatsd_leafz_info gauge"));

        // promtool (Debian's prometheus package) finds nothing wrong with the whole page.
        await Promtool.AssertCleanAsync(text);
    }

    [Test]
    public async Task Connz_of_an_account_and_its_statz_and_conns_count_leafs_as_nats_server_does()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            server_name: HUB
            system_account: SYS
            accounts { A { users: [ {user: a, password: a} ] }, SYS { users: [ {user: sys, password: sys} ] } }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { user: l, password: p, account: A } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""
            server_name: LEAF
            leafnodes { remotes: [ { url: "nats-leaf://l:p@127.0.0.1:{{port}}" } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await using var leafClient = await leaf.ClientAsync();
        await Leaf.SubAsync(leafClient, "watched", "1");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("watched", "A"), "interest arrives");
        var cid = hub.Manager.Connections.Single().Id;

        // nats-server 2.9.10's Connz: unfiltered, clients only; for one account, its clients and leafs.
        Assert.That(Get(hub, "/connz").GetProperty("connections").EnumerateArray().Select(c => c.GetProperty("cid").GetUInt64()), Does.Not.Contain(cid));
        var connz = Get(hub, "/connz", ("acc", "A"), ("subs", "1"), ("auth", "1"));
        Assert.That(connz.GetProperty("total").GetInt32(), Is.EqualTo(1));
        var entry = connz.GetProperty("connections")[0];
        Assert.That((entry.GetProperty("cid").GetUInt64(), entry.GetProperty("kind").GetString(), entry.GetProperty("name").GetString(), entry.GetProperty("account").GetString()),
            Is.EqualTo((cid, "Leafnode", "LEAF", "A")));
        Assert.That(entry.TryGetProperty("type", out _), Is.False, "nats-server gives a leaf no client type");
        Assert.That(entry.GetProperty("subscriptions_list").EnumerateArray().Select(s => s.GetString()), Does.Contain("watched"));
        Assert.That(Get(hub, "/connz", ("acc", "B")).GetProperty("total").GetInt32(), Is.EqualTo(0));

        // The account's STATZ: leafs apart from clients; an account with leafs only shows with unused=1.
        JsonElement? Stat(bool unused) => Get(hub, "/accstatz", ("unused", unused ? "1" : "0")).GetProperty("account_statz").EnumerateArray()
            .Cast<JsonElement?>().FirstOrDefault(a => a!.Value.GetProperty("acc").GetString() == "A");
        Assert.That(Stat(unused: false), Is.Null);
        var stat = Stat(unused: true)!.Value;
        Assert.That((stat.GetProperty("conns").GetInt32(), stat.GetProperty("leafnodes").GetInt32(), stat.GetProperty("total_conns").GetInt32()), Is.EqualTo((0, 1, 1)));

        // $SYS: the account's CONNS answer and the CONNS event when a client comes.
        await using var sys = await hub.ClientAsync(Leaf.Connect("sys", "sys"));
        await Leaf.SubAsync(sys, "answer", "1");
        await Leaf.SubAsync(sys, "$SYS.ACCOUNT.A.SERVER.CONNS", "2");
        await Leaf.RequestAsync(sys, "$SYS.REQ.ACCOUNT.A.CONNS", "answer");
        Assert.That(Counts(await NextAsync(sys, "answer")), Is.EqualTo((0, 1, 1)));
        await using var client = await hub.ClientAsync(Leaf.Connect("a", "a"));
        Assert.That(Counts(await NextAsync(sys, "$SYS.ACCOUNT.A.SERVER.CONNS")), Is.EqualTo((1, 1, 2)));

        // A closed leaf is kept with closed clients, as nats-server's saveClosedClient.
        await leaf.Server.ShutdownAsync();
        await Leaf.UntilAsync(() => hub.LeafCount == 0, "the leaf goes");
        var closed = Get(hub, "/connz", ("state", "closed")).GetProperty("connections").EnumerateArray().Single(c => c.GetProperty("cid").GetUInt64() == cid);
        Assert.That((closed.GetProperty("kind").GetString(), closed.TryGetProperty("reason", out _)), Is.EqualTo(("Leafnode", true)));
        await Leaf.UntilAsync(() => Stat(unused: true)!.Value.GetProperty("leafnodes").GetInt32() == 0, "the account counts no leaf");
    }

    private static (int Conns, int Leafnodes, int Total) Counts(JsonElement message) =>
        (message.GetProperty("conns").GetInt32(), message.GetProperty("leafnodes").GetInt32(), message.GetProperty("total_conns").GetInt32());

    /// <summary>The next message on <paramref name="subject"/> (periodic $SYS events may come between).</summary>
    private static async Task<JsonElement> NextAsync(RawClient client, string subject)
    {
        while (true)
        {
            var frame = await client.ReadFrameAsync();
            if (frame.IsMessage && frame.Subject == subject)
            {
                return JsonDocument.Parse(frame.PayloadText).RootElement;
            }
        }
    }
}
