using System.Text.Json;
using Nats.Core.Monitoring;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>/leafz and the leaf block of /varz.</summary>
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
}
