using Nats.Core.Config;
using Nats.TestSupport;
using NATS.Client.Core;
using static Nats.Core.Tests.Config.Binding.BindingTestSupport;

namespace Nats.Core.Tests.Accounts;

/// <summary>
/// Subject mappings (<c>mappings {}</c> at top level and in accounts) as nats-server applies
/// them to what clients publish: functions, weights, cluster scope, permissions on the mapped
/// subject, reload; and the same configuration on nats-server 2.9.10 gives the same subjects.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SubjectMappingTests
{
    private static ServerOptions Config(string text)
    {
        var options = Options(text);
        options.Host = "127.0.0.1";
        options.Port = -1;
        return options;
    }

    private static async Task<NatsServer> StartAsync(string text)
    {
        var server = new NatsServer(Config(text));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StartAsync(cts.Token);
        return server;
    }

    private static Task<RawClient> ConnectAsync(NatsServer server, string? user = null) =>
        RawClient.ConnectAndHandshakeAsync(server.Port, user is null
            ? RawClient.QuietConnect
            : $$"""{"verbose":false,"pedantic":false,"protocol":1,"user":"{{user}}","pass":"{{user}}"}""");

    [Test]
    public void Config_binds_strings_weighted_lists_and_clusters()
    {
        var options = Options("""
            mappings {
              "foo.*": "bar.$1"
              weighted: [{destination: "w.a", weight: 40%}, {dest: "w.b", weight: 60}]
              scoped: [{destination: "east.s", weight: 100, cluster: "east"}, {destination: "any.s", weight: 100}]
            }
            accounts { A { mappings { "x": "y" } } }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(options.Auth.Mappings.Select(m => m.Source), Is.EqualTo(new[] { "foo.*", "weighted", "scoped" }));
            Assert.That(options.Auth.Mappings[1].Destinations.Select(d => (d.Subject, d.Weight)), Is.EqualTo(new[] { ("w.a", 40), ("w.b", 60) }));
            Assert.That(options.Auth.Mappings[2].Destinations[0].Cluster, Is.EqualTo("east"));
            Assert.That(options.Auth.Accounts.Single().Mappings.Single().Destinations.Single().Subject, Is.EqualTo("y"));
        });
    }

    [TestCase("mappings { \"foo.*\": \"bar.$2\" }", "Error adding mapping for \"foo.*\" to \"bar.$2\" : invalid mapping destination: wildcard index out of range in $2: [2]")]
    [TestCase("mappings { \"foo\": [{destination: a, weight: 60}, {destination: b, weight: 60}] }", "Error adding mapping for \"foo\" : total weight needs to be <= 100")]
    [TestCase("mappings { \"foo\": [{destination: a}] }", "Missing weight for mapping destination \"a\"")]
    [TestCase("mappings { \"foo\": [{destination: a, weight: 101}] }", "Invalid weight 101 for mapping destination")]
    [TestCase("mappings { \"foo..\": \"bar\" }", "Subject \"foo..\" is not a valid subject")]
    [TestCase("accounts { A { mappings { \"foo.*\": \"bar.{{nope(1)}}\" } } }", "invalid mapping destination: unknown function in {{nope(1)}}")]
    public void Bad_mappings_are_config_errors_with_nats_server_texts(string text, string expected)
    {
        Assert.That(Errors(text), Has.Some.Contains(expected));
    }

    [Test]
    public async Task A_top_level_mapping_rewrites_what_clients_publish()
    {
        await using var server = await StartAsync("""mappings { "foo.*.*": "bar.$2.{{wildcard(1)}}", "one": "two" }""");
        await using var sub = await ConnectAsync(server);
        await sub.SendAsync("SUB bar.> 1\r\nSUB foo.> 2\r\nSUB two 3\r\nSUB one 4\r\n");
        await sub.PingAsync();
        await using var pub = await ConnectAsync(server);
        await pub.SendAsync(Wire.Pub("foo.a.b", "mapped", reply: "r") + Wire.Pub("one", "literal") + Wire.Pub("foo.a", "not matched"));
        await pub.PingAsync();
        await sub.ExpectMsgAsync("bar.b.a", "1", "mapped", reply: "r");
        await sub.ExpectMsgAsync("two", "3", "literal");
        await sub.ExpectMsgAsync("foo.a", "2", "not matched");
        await sub.PingAsync(); // nothing on the original subjects
    }

    [Test]
    public async Task Account_mappings_apply_in_their_account_only()
    {
        await using var server = await StartAsync("""
            accounts {
              A { users: [{user: a, password: a}], mappings { "req.*": "svc.{{partition(3,1)}}.{{wildcard(1)}}" } }
              B { users: [{user: b, password: b}] }
            }
            """);
        await using var a = await ConnectAsync(server, "a");
        await using var b = await ConnectAsync(server, "b");
        await a.SendAsync("SUB > 1\r\n");
        await a.PingAsync();
        await b.SendAsync("SUB > 1\r\n");
        await b.PingAsync();
        await a.SendAsync(Wire.Pub("req.foo", "x"));
        // FNV-1a("foo") = 2851307223: 0 modulo 3 (and 3 modulo 10, nats-server's own vector).
        await a.ExpectMsgAsync("svc.0.foo", "1", "x");
        await b.SendAsync(Wire.Pub("req.foo", "y"));
        await b.ExpectMsgAsync("req.foo", "1", "y");
    }

    [Test]
    public async Task Weights_split_the_messages_in_proportion()
    {
        const int count = 2000;
        await using var server = await StartAsync("""
            mappings { "w": [{destination: "w.a", weight: 40%}, {destination: "w.b", weight: 50%}] }
            """);
        await using var sub = await ConnectAsync(server);
        await sub.SendAsync("SUB w.a 1\r\nSUB w.b 2\r\nSUB w 3\r\n");
        await sub.PingAsync();
        await using var pub = await ConnectAsync(server);
        await pub.SendAsync(string.Concat(Enumerable.Repeat(Wire.Pub("w", "m"), count)));
        await pub.PingAsync();
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            var frame = await sub.ReadMessageAsync();
            counts[frame.Subject] = counts.GetValueOrDefault(frame.Subject) + 1;
        }
        await sub.PingAsync();
        // Binomial spread for 2000 draws is at most ~22 messages; 100 is more than 4.5 of them.
        Assert.Multiple(() =>
        {
            Assert.That(counts.GetValueOrDefault("w.a"), Is.InRange(800 - 100, 800 + 100));
            Assert.That(counts.GetValueOrDefault("w.b"), Is.InRange(1000 - 100, 1000 + 100));
            Assert.That(counts.GetValueOrDefault("w"), Is.InRange(200 - 70, 200 + 70), "the 10% left keep their subject");
        });
    }

    [Test]
    public async Task A_source_listed_as_its_own_destination_drops_the_rest()
    {
        await using var server = await StartAsync("""mappings { "drop": [{destination: "drop", weight: 0}, {destination: "kept", weight: 0}] }""");
        await using var sub = await ConnectAsync(server);
        await sub.SendAsync("SUB > 1\r\n");
        await sub.PingAsync();
        await using var pub = await ConnectAsync(server);
        await pub.SendAsync(string.Concat(Enumerable.Repeat(Wire.Pub("drop", "gone"), 20)) + Wire.Pub("after", "sync"));
        await pub.PingAsync();
        await sub.ExpectMsgAsync("after", "1", "sync");
    }

    [Test]
    public async Task Cluster_scoped_destinations_win_on_that_clusters_servers()
    {
        var port = FreePorts.Take();
        await using var server = await StartAsync($$"""
            cluster { name: east, listen: "127.0.0.1:{{port}}" }
            mappings { "s": [{destination: "east.s", weight: 100, cluster: east}, {destination: "other.s", weight: 100}],
                       "t": [{destination: "west.t", weight: 100, cluster: west}, {destination: "other.t", weight: 100}] }
            """);
        await using var sub = await ConnectAsync(server);
        await sub.SendAsync("SUB > 1\r\n");
        await sub.PingAsync();
        await sub.SendAsync(Wire.Pub("s", "1") + Wire.Pub("t", "2"));
        await sub.ExpectMsgAsync("east.s", "1", "1");
        await sub.ExpectMsgAsync("other.t", "1", "2");
    }

    [Test]
    public async Task Publish_permissions_apply_to_the_mapped_subject_as_in_nats_server()
    {
        await using var server = await StartAsync("""
            authorization { users: [{user: u, password: u, permissions: {publish: {allow: ["allowed.>"]}}}, {user: s, password: s}] }
            mappings { "in.*": "allowed.$1", "out": "denied" }
            """);
        await using var sub = await ConnectAsync(server, "s");
        await sub.SendAsync("SUB > 1\r\n");
        await sub.PingAsync();
        await using var u = await ConnectAsync(server, "u");
        await u.SendAsync(Wire.Pub("in.x", "ok"));
        await sub.ExpectMsgAsync("allowed.x", "1", "ok");
        await u.SendAsync(Wire.Pub("out", "no"));
        await u.ExpectErrAsync("Permissions Violation for Publish to \"denied\"");
    }

    [Test]
    public async Task Reload_applies_changed_and_removed_mappings()
    {
        const string before = """
            accounts { A { users: [{user: a, password: a}], mappings { "m": "first" } } }
            mappings { "g": "g1" }
            """;
        await using var server = await StartAsync(before);
        await using var a = await ConnectAsync(server, "a");
        await a.SendAsync("SUB > 1\r\n");
        await a.PingAsync();
        await a.SendAsync(Wire.Pub("m", "1"));
        await a.ExpectMsgAsync("first", "1", "1");

        var result = server.Reload(Config(before.Replace("\"m\": \"first\"", "\"m\": \"second\"").Replace("mappings { \"g\": \"g1\" }", "mappings { \"g\": \"g2\" }")));
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        await a.SendAsync(Wire.Pub("m", "2"));
        await a.ExpectMsgAsync("second", "1", "2");
        Assert.That(server.Accounts.Global.Mappings!.Definitions.Single().Destinations.Single().Subject, Is.EqualTo("g2"));

        result = server.Reload(Config("accounts { A { users: [{user: a, password: a}] } }"));
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        await a.SendAsync(Wire.Pub("m", "3"));
        await a.ExpectMsgAsync("m", "1", "3");
        Assert.That(server.Accounts.Global.Mappings, Is.Null);
    }

    [Test]
    public async Task A_NATS_Net_request_reaches_a_service_through_a_mapping()
    {
        await using var server = await StartAsync("""mappings { "api.v1.*": "api.v2.$1" }""");
        await using var service = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{server.Port}" });
        await using var client = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{server.Port}" });
        await using var sub = await service.SubscribeCoreAsync<string>("api.v2.*");
        await service.PingAsync();
        var responder = Task.Run(async () =>
        {
            await foreach (var msg in sub.Msgs.ReadAllAsync())
            {
                await msg.ReplyAsync($"{msg.Subject}:{msg.Data}");
                return;
            }
        });
        var reply = await client.RequestAsync<string, string>("api.v1.echo", "hi", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(5) });
        Assert.That(reply.Data, Is.EqualTo("api.v2.echo:hi"));
        await responder.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>The subjects one client sees for a fixed list of publishes under a fixed mapping config.</summary>
    private const string InteropMappings = """
        mappings {
          "a.*.*": "b.$2.$1"
          "p.*": "p.{{partition(5,1)}}.{{wildcard(1)}}"
          "pp.*.*": "pp.{{partition(7,2,1)}}.$1.$2"
          "l.*": "l.{{splitfromleft(1,2)}}"
          "r.*": "r.{{SplitFromRight(1,2)}}"
          "sl.*": "sl.{{slicefromleft(1,3)}}"
          "sr.*": "sr.{{sliceFromRight(1,3)}}"
          "sp.*": "sp.{{split(1,-)}}"
          "f.>": "ff.>"
          "lit": "literal.dest"
        }
        """;

    private static readonly string[] InteropSubjects =
    [
        "a.x.y", "p.alpha", "p.beta", "p.gamma", "p.delta", "pp.k1.k2", "pp.k2.k1", "l.abcdef", "l.a",
        "r.abcdef", "sl.abcdefgh", "sr.abcdefgh", "sp.-x-y--z-", "f.1.2.3", "lit", "unmapped.subject",
    ];

    private static async Task<List<string>> SubjectsSeenAsync(int port)
    {
        await using var client = await RawClient.ConnectAndHandshakeAsync(port);
        await client.SendAsync("SUB > 1\r\n");
        await client.PingAsync();
        await client.SendAsync(string.Concat(InteropSubjects.Select(s => Wire.Pub(s, s))));
        var seen = new List<string>();
        foreach (var _ in InteropSubjects)
        {
            var frame = await client.ReadMessageAsync();
            seen.Add($"{frame.PayloadText} -> {frame.Subject}");
        }
        return seen;
    }

    [Test]
    public async Task The_same_mappings_give_the_same_subjects_as_nats_server_2_9_10()
    {
        ReferenceServer.RequireInstalled();
        var port = FreePorts.Take();
        await using var reference = await ReferenceServer.StartAsync($"port: {port}\n{InteropMappings}", port);
        var theirs = await SubjectsSeenAsync(port);
        await using var server = await StartAsync(InteropMappings);
        var ours = await SubjectsSeenAsync(server.Port);
        Assert.That(ours, Is.EqualTo(theirs));
        Assert.That(theirs, Does.Contain("a.x.y -> b.y.x").And.Contain("sp.-x-y--z- -> sp.x.y.z"), "the reference applied the mappings");
    }
}
