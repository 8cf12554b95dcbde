using System.Text.Json;
using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>
/// <c>/gatewayz</c> and the STATSZ <c>gateways</c> array, side by side with nats-server 2.9.10:
/// our cluster OURS gatewayed with its cluster GO, both with accounts (APP for clients, SYS the
/// system account), the same subscriptions on both sides; every field name nats-server prints
/// must be in ours, and the counts must agree.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class MonitoringTests
{
    private const string Accounts =
        "accounts { SYS { users: [{user: sys, password: sys}] }, APP { users: [{user: app, password: app}] } }\nsystem_account: SYS\n";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public void RequireReference()
    {
        ReferenceServer.RequireInstalled();
    }

    private sealed record Pair(OurServer Ours, ReferenceServer Theirs, int TheirClientPort, int OurHttp, int TheirHttp) : IAsyncDisposable
    {
        public string OurUrl(string user) => $"nats://{user}:{user}@127.0.0.1:{Ours.Server.Port}";

        public string TheirUrl(string user) => $"nats://{user}:{user}@127.0.0.1:{TheirClientPort}";

        public async ValueTask DisposeAsync()
        {
            await Ours.DisposeAsync();
            await Theirs.DisposeAsync();
        }
    }

    private static async Task<Pair> StartPairAsync(string ourOptions = "")
    {
        var ports = FreePorts.Take(5);
        var ours = await OurServer.StartAsync("ours1", Gateways.Block("OURS", ports[0], ("GO", ports[1])), Accounts + ourOptions + $"http: \"127.0.0.1:{ports[3]}\"");
        var goBlock = $"name: GO\nlisten: \"127.0.0.1:{ports[1]}\"\ngateways: [{Gateways.Remote("OURS", ports[0])}]";
        var theirs = await ReferenceServer.StartAsync(
            Gateways.ReferenceConfig("go1", ports[2], goBlock) + Accounts + $"http: \"127.0.0.1:{ports[4]}\"\n", ports[2]);
        await ours.WaitForGatewayAsync("GO", TimeSpan.FromSeconds(20));
        return new Pair(ours, theirs, ports[2], ports[3], ports[4]);
    }

    /// <summary>foo.bar, baz.* and the queue group q.x/grp in APP on both sides, seen by the other side.</summary>
    private static async Task<List<IAsyncDisposable>> SubscribeBothSidesAsync(Pair pair)
    {
        var held = new List<IAsyncDisposable>();
        foreach (var (here, there) in new[] { (pair.OurUrl("app"), pair.TheirUrl("app")), (pair.TheirUrl("app"), pair.OurUrl("app")) })
        {
            var subscriber = await Gateways.ConnectAsync(here);
            var publisher = await Gateways.ConnectAsync(there);
            held.Add(subscriber);
            held.Add(publisher);
            var probe = await subscriber.SubscribeCoreAsync<string>("foo.bar");
            held.Add(probe);
            held.Add(await subscriber.SubscribeCoreAsync<string>("baz.*"));
            held.Add(await subscriber.SubscribeCoreAsync<string>("q.x", queueGroup: "grp"));
            await subscriber.PingAsync();
            await Gateways.WaitForInterestAsync(publisher, probe, "foo.bar");
        }
        return held;
    }

    [Test]
    public async Task Gatewayz_prints_nats_servers_fields_and_the_same_subscription_counts()
    {
        await using var pair = await StartPairAsync();
        var held = await SubscribeBothSidesAsync(pair);
        try
        {
            // Subscriptions reach the remote asynchronously: wait until both count APP's (the three
            // above and the clients' own inbox subscriptions) the same.
            JsonElement ours = default, theirs = default;
            try
            {
                await Eventually.TrueAsync(() =>
                {
                    ours = GetJson(pair.OurHttp, "/gatewayz?accs=1");
                    theirs = GetJson(pair.TheirHttp, "/gatewayz?accs=1");
                    return NumSubs(ours, "GO", "APP") >= 3 && NumSubs(ours, "GO", "APP") == NumSubs(theirs, "OURS", "APP");
                }, "both sides count APP's subscriptions the same", TimeSpan.FromSeconds(15));
            }
            catch
            {
                TestContext.Out.WriteLine($"ours:\n{ours}\ntheirs:\n{theirs}");
                throw;
            }

            AssertHasFieldsOf(ours, theirs, "");
            var outbound = Account(ours, "GO", "APP");
            Assert.That(outbound.GetProperty("interest_mode").GetString(), Is.EqualTo("Interest-Only"));
            Assert.That(outbound.GetProperty("num_queue_subs").GetInt32(), Is.EqualTo(1));
            Assert.That(Account(theirs, "OURS", "APP").GetProperty("num_queue_subs").GetInt32(), Is.EqualTo(1));
            var connection = ours.GetProperty("outbound_gateways").GetProperty("GO").GetProperty("connection");
            Assert.That(connection.GetProperty("kind").GetString(), Is.EqualTo("Gateway"));
            Assert.That(connection.GetProperty("subscriptions").GetInt32(), Is.GreaterThanOrEqualTo(3));
            var inbound = ours.GetProperty("inbound_gateways").GetProperty("GO")[0];
            Assert.That(inbound.GetProperty("connection").GetProperty("subscriptions").GetInt32(), Is.Zero);
            Assert.That(inbound.GetProperty("accounts").EnumerateArray().Any(a => a.GetProperty("name").GetString() == "APP"), Is.True,
                "the inbound side lists what it told the remote per account");

            // acc_name: that account only, accounts implied.
            var one = GetJson(pair.OurHttp, "/gatewayz?acc_name=APP");
            var names = one.GetProperty("outbound_gateways").GetProperty("GO").GetProperty("accounts").EnumerateArray()
                .Select(a => a.GetProperty("name").GetString()).ToList();
            Assert.That(names, Is.EqualTo(new[] { "APP" }));
            var theirOne = GetJson(pair.TheirHttp, "/gatewayz?acc_name=APP");
            Assert.That(theirOne.GetProperty("outbound_gateways").GetProperty("OURS").GetProperty("accounts").GetArrayLength(), Is.EqualTo(1));
        }
        finally
        {
            foreach (var item in Enumerable.Reverse(held))
            {
                await item.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Statsz_lists_each_gateway_as_nats_server_does()
    {
        await using var pair = await StartPairAsync();
        await using var onOurs = await Gateways.ConnectAsync(pair.OurUrl("app"));
        await using var onTheirs = await Gateways.ConnectAsync(pair.TheirUrl("app"));
        await using var sub = await onTheirs.SubscribeCoreAsync<string>("to.go");
        await Gateways.WaitForInterestAsync(onOurs, sub, "to.go");
        for (var i = 0; i < 10; i++)
        {
            await onOurs.PublishAsync("to.go", "x");
        }
        await Gateways.ReadAsync(sub, 10);

        var ours = await StatszAsync(pair.OurUrl("sys"), pair.Ours.Server.ServerId);
        var theirId = GetJson(pair.TheirHttp, "/varz").GetProperty("server_id").GetString()!;
        var theirs = await StatszAsync(pair.TheirUrl("sys"), theirId);

        var ourGateway = ours.GetProperty("statsz").GetProperty("gateways").EnumerateArray().Single();
        var theirGateway = theirs.GetProperty("statsz").GetProperty("gateways").EnumerateArray().Single();
        AssertHasFieldsOf(ourGateway, theirGateway, "statsz.gateways[0]");
        Assert.That(ourGateway.GetProperty("name").GetString(), Is.EqualTo("GO"));
        Assert.That(theirGateway.GetProperty("name").GetString(), Is.EqualTo("OURS"));
        Assert.That(ourGateway.GetProperty("inbound_connections").GetInt32(), Is.EqualTo(1));
        var ourOutbound = pair.Ours.Manager.Connections().Outbound.Single();
        Assert.That(ourGateway.GetProperty("gwid").GetUInt64(), Is.EqualTo(ourOutbound.Id));
        // What we sent on the outbound connection is what nats-server received on its inbound one.
        Assert.That(ourGateway.GetProperty("sent").GetProperty("msgs").GetInt64(), Is.GreaterThanOrEqualTo(10));
        Assert.That(theirGateway.GetProperty("received").GetProperty("msgs").GetInt64(), Is.GreaterThanOrEqualTo(10));
    }

    [Test]
    public async Task Metrics_serves_the_exporters_gatewayz_series_with_the_numbers_of_gatewayz()
    {
        // Our gateway connections PING every 2 s, so they have an rtt (0 until the first PONG) to check the page's against.
        await using var pair = await StartPairAsync("ping_interval: \"2s\"\n");
        await using var onOurs = await Gateways.ConnectAsync(pair.OurUrl("app"));
        await using var onTheirs = await Gateways.ConnectAsync(pair.TheirUrl("app"));
        await using var sub = await onTheirs.SubscribeCoreAsync<string>("to.go");
        await Gateways.WaitForInterestAsync(onOurs, sub, "to.go");
        for (var i = 0; i < 25; i++)
        {
            await onOurs.PublishAsync("to.go", "x");
        }
        await Gateways.ReadAsync(sub, 25);

        await Eventually.TrueAsync(() => Rtts(pair.Ours) is { Count: 2 } measured && measured.Values.All(r => r > TimeSpan.Zero),
            "both gateway connections measured their rtt", TimeSpan.FromSeconds(20));
        // The page is read between two looks at every gateway connection's rtt, again (bounded) if a
        // PONG changed one meanwhile, so the exporter's rtt can be checked against the connection's.
        var text = "";
        var rtts = new Dictionary<ulong, TimeSpan>();
        await Eventually.TrueAsync(async () =>
        {
            var before = Rtts(pair.Ours);
            text = await Http.GetStringAsync($"http://127.0.0.1:{pair.OurHttp}/metrics");
            rtts = Rtts(pair.Ours);
            return rtts.Count == before.Count && rtts.All(r => before.GetValueOrDefault(r.Key) == r.Value);
        }, "no gateway connection's rtt changed while /metrics was read", TimeSpan.FromSeconds(20));
        var gatewayz = GetJson(pair.OurHttp, "/gatewayz");
        var id = pair.Ours.Server.ServerId;
        var outbound = gatewayz.GetProperty("outbound_gateways").GetProperty("GO").GetProperty("connection");
        var inbound = gatewayz.GetProperty("inbound_gateways").GetProperty("GO")[0].GetProperty("connection");

        foreach (var (kind, connection) in new[] { ("outbound_gateway", outbound), ("inbound_gateway", inbound) })
        {
            var cid = connection.GetProperty("cid").GetUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
            double Value(string name, bool withCid = true)
            {
                var samples = Samples(text, $"gnatsd_gatewayz_{kind}_{name}");
                var match = samples.Where(s => s.Labels["server_id"] == id && s.Labels["gateway_name"] == "OURS" && s.Labels["remote_gateway_name"] == "GO"
                    && (!withCid || s.Labels["cid"] == cid)).ToList();
                Assert.That(match, Has.Count.EqualTo(1), $"{kind}_{name} in:\n{string.Join("\n", samples.Select(s => s.Line))}");
                return match[0].Value;
            }
            Assert.That(Value("configured", withCid: false), Is.EqualTo(1), kind);
            Assert.That(Value("info", withCid: false), Is.Zero, kind);
            // Counters only grow between the two reads (PINGs, interest): /metrics was read first.
            Assert.That(Value("conn_out_msgs"), Is.InRange(0, connection.GetProperty("out_msgs").GetInt64()), kind);
            Assert.That(Value("conn_in_msgs"), Is.InRange(0, connection.GetProperty("in_msgs").GetInt64()), kind);
            Assert.That(Value("conn_out_bytes"), Is.InRange(0, connection.GetProperty("out_bytes").GetInt64()), kind);
            Assert.That(Value("conn_in_bytes"), Is.InRange(0, connection.GetProperty("in_bytes").GetInt64()), kind);
            Assert.That(Value("conn_pending_bytes"), Is.GreaterThanOrEqualTo(0), kind);
            // The connection's rtt in seconds: in ms or µs it would be 10^3 or 10^6 times that.
            Assert.That(Value("conn_rtt"), Is.EqualTo(rtts[ulong.Parse(cid, System.Globalization.CultureInfo.InvariantCulture)].TotalSeconds).Within(1e-7), kind);
            Assert.That(Value("conn_subscriptions"), Is.EqualTo(connection.GetProperty("subscriptions").GetInt32()), kind);
        }
        Assert.That(Samples(text, "gnatsd_gatewayz_outbound_gateway_conn_out_msgs").Single().Value, Is.GreaterThanOrEqualTo(25));
        var info = Samples(text, "gnatsd_gatewayz_outbound_gateway_info").Single();
        Assert.That(info.Labels.Keys, Is.SupersetOf(new[] { "start", "last_activity", "uptime", "idle" }));
        Assert.That(info.Labels["start"], Does.EndWith(" +0000 UTC"));

        // promtool (Debian's prometheus package) finds nothing wrong with the whole page.
        await Promtool.AssertCleanAsync(text);
    }

    private static Dictionary<ulong, TimeSpan> Rtts(OurServer server)
    {
        var (outbound, inbound) = server.Manager.Connections();
        return outbound.Concat(inbound).ToDictionary(c => c.Id, c => c.Rtt);
    }

    private sealed record Sample(string Line, Dictionary<string, string> Labels, double Value);

    /// <summary>The samples of one family in Prometheus text: <c>name{a="x",b="y"} value</c>.</summary>
    private static List<Sample> Samples(string text, string name) =>
        text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(line =>
            {
                var close = line.LastIndexOf('}');
                var labels = System.Text.RegularExpressions.Regex.Matches(line[(name.Length + 1)..close], "(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"")
                    .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
                return new Sample(line, labels, double.Parse(line[(close + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
            }).ToList();

    private static async Task<JsonElement> StatszAsync(string url, string serverId)
    {
        await using var sys = await Gateways.ConnectAsync(url);
        var reply = await sys.RequestAsync<string, string>($"$SYS.REQ.SERVER.{serverId}.STATSZ", "",
            replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(5) });
        return JsonDocument.Parse(reply.Data!).RootElement.Clone();
    }

    private static JsonElement GetJson(int port, string path) =>
        JsonDocument.Parse(Http.GetStringAsync($"http://127.0.0.1:{port}{path}").GetAwaiter().GetResult()).RootElement.Clone();

    private static JsonElement Account(JsonElement gatewayz, string remote, string account) =>
        gatewayz.GetProperty("outbound_gateways").TryGetProperty(remote, out var gateway) && gateway.TryGetProperty("accounts", out var accounts)
            ? accounts.EnumerateArray().FirstOrDefault(a => a.GetProperty("name").GetString() == account)
            : default;

    private static int NumSubs(JsonElement gatewayz, string remote, string account) =>
        Account(gatewayz, remote, account) is { ValueKind: JsonValueKind.Object } a && a.TryGetProperty("num_subs", out var n) ? n.GetInt32() : 0;

    /// <summary>
    /// Every field nats-server printed is in ours, recursively (objects by name; the remote
    /// gateway's name as a key differs, so maps keyed by gateway name are compared entry to
    /// entry; arrays by the union of their elements' fields).
    /// </summary>
    private static void AssertHasFieldsOf(JsonElement ours, JsonElement theirs, string path)
    {
        if (theirs.ValueKind == JsonValueKind.Array)
        {
            Assert.That(ours.ValueKind, Is.EqualTo(JsonValueKind.Array), path);
            foreach (var property in theirs.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).SelectMany(e => e.EnumerateObject()))
            {
                var mine = ours.EnumerateArray().FirstOrDefault(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property.Name, out _));
                Assert.That(mine.ValueKind, Is.EqualTo(JsonValueKind.Object), $"{path}[].{property.Name}");
                AssertHasFieldsOf(mine.GetProperty(property.Name), property.Value, $"{path}[].{property.Name}");
            }
            return;
        }
        if (theirs.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        Assert.That(ours.ValueKind, Is.EqualTo(JsonValueKind.Object), path);
        if (path.EndsWith("_gateways", StringComparison.Ordinal))
        {
            // Keyed by the remote's name: GO in ours, OURS in theirs.
            AssertHasFieldsOf(ours.EnumerateObject().Single().Value, theirs.EnumerateObject().Single().Value, path + ".<gw>");
            return;
        }
        foreach (var property in theirs.EnumerateObject())
        {
            Assert.That(ours.TryGetProperty(property.Name, out var mine), Is.True, $"{path}.{property.Name}");
            AssertHasFieldsOf(mine, property.Value, $"{path}.{property.Name}");
        }
    }
}
