using System.Text.Json;
using NATS.Client.Core;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Core.Tests.SystemServices;

/// <summary>
/// $SYS across a three-server cluster, through the official .NET client (NATS.Net): a PING is
/// answered by every server, a request by id reaches that server through routes, and account
/// events from one server are seen on another.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ClusterSystemServicesTests : ServersFixture
{
    private readonly List<NatsConnection> _clients = [];

    /// <summary>The clients go first; the base then stops the servers.</summary>
    [TearDown]
    public async Task StopClients()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        _clients.Clear();
    }

    private async Task<NatsServer> StartAsync(string name, NatsServer? seed = null)
    {
        var options = TestCluster.Member(name, "sys-test", seed is null ? [] : [seed]);
        options.Tags = [$"name:{name}"];
        options.Auth.Accounts = [new AccountConfig { Name = "APP" }];
        options.Auth.Users =
        [
            new UserConfig { Username = "sys", Password = "pw", Account = "$SYS" },
            new UserConfig { Username = "app", Password = "pw", Account = "APP" },
        ];
        return await StartAsync(options);
    }

    private async Task<(NatsServer A, NatsServer B, NatsServer C)> StartClusterAsync()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b", a);
        var c = await StartAsync("c", a);
        foreach (var server in new[] { a, b, c })
        {
            await TestServer.WaitUntilAsync(() => server.Routes!.Routes.Count == 2, $"{server.Name} routed to both others", TimeSpan.FromSeconds(20));
        }
        return (a, b, c);
    }

    private async Task<NatsConnection> ConnectAsync(NatsServer server, string user, string? name = null)
    {
        var client = new NatsConnection(new NatsOpts
        {
            Url = server.ClientUrl,
            Name = name ?? user,
            AuthOpts = new NatsAuthOpts { Username = user, Password = "pw" },
        });
        await client.ConnectAsync();
        _clients.Add(client);
        return client;
    }

    /// <summary>Sends a request and gathers the answers that arrive within <paramref name="seconds"/>.</summary>
    private static async Task<List<JsonElement>> GatherAsync(NatsConnection client, string subject, string body = "", double seconds = 1)
    {
        var answers = new List<JsonElement>();
        await foreach (var message in client.RequestManyAsync<string, byte[]>(subject, body, replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(seconds) }))
        {
            answers.Add(JsonDocument.Parse(message.Data ?? []).RootElement);
        }
        return answers;
    }

    /// <summary>Routes propagate interest asynchronously: ask until every server answered.</summary>
    private static async Task<List<JsonElement>> GatherFromAllAsync(NatsConnection client, string subject, int servers, string body = "")
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var answers = await GatherAsync(client, subject, body);
            if (answers.Count >= servers || DateTime.UtcNow > deadline)
            {
                return answers;
            }
        }
    }

    [Test]
    public async Task An_accounts_PING_through_the_system_imports_is_answered_by_every_server()
    {
        var (a, b, c) = await StartClusterAsync();
        var app = await ConnectAsync(a, "app");
        await ConnectAsync(b, "app");
        await ConnectAsync(c, "app");
        await ConnectAsync(b, "sys");
        foreach (var subject in new[] { "$SYS.REQ.ACCOUNT.PING.CONNZ", "$SYS.REQ.SERVER.PING.CONNZ" })
        {
            var answers = await GatherFromAllAsync(app, subject, 3);
            Assert.That(answers.Select(x => x.GetProperty("server").GetProperty("name").GetString()).Order(), Is.EqualTo(new[] { "a", "b", "c" }), subject);
            Assert.That(answers.Select(x => x.GetProperty("data").GetProperty("num_connections").GetInt32()), Is.All.EqualTo(1), subject + ": APP's connection only");
        }
        var statz = await GatherFromAllAsync(app, "$SYS.REQ.ACCOUNT.PING.STATZ", 3);
        Assert.That(statz.Select(x => x.GetProperty("server").GetProperty("name").GetString()).Order(), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(statz.Select(x => x.GetProperty("data").GetProperty("account_statz")[0].GetProperty("acc").GetString()), Is.All.EqualTo("APP"));
    }

    [Test]
    public async Task APingIsAnsweredByEveryServer()
    {
        var (a, _, _) = await StartClusterAsync();
        var sys = await ConnectAsync(a, "sys");
        var answers = await GatherFromAllAsync(sys, "$SYS.REQ.SERVER.PING.IDZ", 3);
        Assert.That(answers.Select(x => x.GetProperty("name").GetString()), Is.EquivalentTo(new[] { "a", "b", "c" }));

        var statsz = await GatherFromAllAsync(sys, "$SYS.REQ.SERVER.PING.STATSZ", 3);
        Assert.That(statsz, Has.Count.EqualTo(3));
        foreach (var answer in statsz)
        {
            Assert.That(answer.GetProperty("server").GetProperty("cluster").GetString(), Is.EqualTo("sys-test"));
            Assert.That(answer.GetProperty("statsz").GetProperty("routes").GetArrayLength(), Is.EqualTo(2));
            Assert.That(answer.GetProperty("statsz").GetProperty("active_servers").GetInt32(), Is.EqualTo(3));
        }

        // Filter options narrow the PING to the servers that match.
        var tagged = await GatherAsync(sys, "$SYS.REQ.SERVER.PING.VARZ", """{"tags":["name:b"]}""", seconds: 3);
        Assert.That(tagged.Select(x => x.GetProperty("server").GetProperty("name").GetString()), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public async Task ARequestByIdIsAnsweredByThatServerOverRoutes()
    {
        var (a, _, c) = await StartClusterAsync();
        var sys = await ConnectAsync(a, "sys");
        var answers = await GatherFromAllAsync(sys, $"$SYS.REQ.SERVER.{c.ServerId}.VARZ", 1);
        Assert.That(answers, Has.Count.EqualTo(1));
        Assert.That(answers[0].GetProperty("server").GetProperty("id").GetString(), Is.EqualTo(c.ServerId));
        Assert.That(answers[0].GetProperty("data").GetProperty("server_name").GetString(), Is.EqualTo("c"));
    }

    [Test]
    public async Task ConnectAndDisconnectOnOneServerAreSeenOnAnother()
    {
        var (a, _, c) = await StartClusterAsync();
        var sys = await ConnectAsync(a, "sys");
        await using var events = await sys.SubscribeCoreAsync<byte[]>("$SYS.ACCOUNT.APP.>");
        await sys.PingAsync();
        // The subscription must have reached c before the client connects there.
        await TestServer.WaitUntilAsync(() => !c.Accounts.System!.Sublist.Match("$SYS.ACCOUNT.APP.CONNECT").IsEmpty, "interest at c", TimeSpan.FromSeconds(20));

        var app = await ConnectAsync(c, "app", "billing");
        var connect = await NextAsync(events, "$SYS.ACCOUNT.APP.CONNECT");
        Assert.That(connect.GetProperty("server").GetProperty("name").GetString(), Is.EqualTo("c"));
        Assert.That(connect.GetProperty("client").GetProperty("name").GetString(), Is.EqualTo("billing"));
        Assert.That(connect.GetProperty("client").GetProperty("lang").GetString(), Is.EqualTo(".NET"));

        await app.DisposeAsync();
        _clients.Remove(app);
        var disconnect = await NextAsync(events, "$SYS.ACCOUNT.APP.DISCONNECT");
        Assert.That(disconnect.GetProperty("server").GetProperty("name").GetString(), Is.EqualTo("c"));
        Assert.That(disconnect.GetProperty("reason").GetString(), Is.EqualTo("Client Closed"));
    }

    [Test]
    public async Task AShutdownIsHeardByTheRestOfTheCluster()
    {
        var (a, b, _) = await StartClusterAsync();
        var sys = await ConnectAsync(a, "sys");
        await using var events = await sys.SubscribeCoreAsync<byte[]>($"$SYS.SERVER.{b.ServerId}.SHUTDOWN");
        await sys.PingAsync();
        await TestServer.WaitUntilAsync(() => !b.Accounts.System!.Sublist.Match($"$SYS.SERVER.{b.ServerId}.SHUTDOWN").IsEmpty, "interest at b", TimeSpan.FromSeconds(20));
        await b.ShutdownAsync();
        var shutdown = await NextAsync(events, $"$SYS.SERVER.{b.ServerId}.SHUTDOWN");
        Assert.That(shutdown.GetProperty("name").GetString(), Is.EqualTo("b"));
    }

    private static async Task<JsonElement> NextAsync(INatsSub<byte[]> subscription, string subject)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var message = await subscription.Msgs.ReadAsync(cts.Token);
            if (message.Subject == subject)
            {
                return JsonDocument.Parse(message.Data ?? []).RootElement;
            }
        }
    }
}
