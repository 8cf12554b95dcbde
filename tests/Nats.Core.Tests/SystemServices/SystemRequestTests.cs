using System.Text.Json;
using Nats.Core.Config;
using Nats.Core.SystemServices;
using Nats.TestSupport;

namespace Nats.Core.Tests.SystemServices;

/// <summary>$SYS requests and events on one server, seen by a raw client of the system account.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SystemRequestTests
{
    private const string SysConnect = """{"verbose":false,"pedantic":false,"headers":true,"protocol":1,"user":"sys","pass":"pw"}""";
    private const string AppConnect = """{"verbose":false,"pedantic":false,"headers":true,"protocol":1,"user":"app","pass":"pw","name":"billing","lang":"raw","version":"1.0"}""";

    private TestServer _server = null!;

    [SetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(o =>
        {
            o.ServerName = "alpha";
            o.Tags = ["az:1", "ssd"];
            o.Auth.Accounts = [new AccountConfig { Name = "APP" }];
            o.Auth.Users =
            [
                new UserConfig { Username = "sys", Password = "pw", Account = "$SYS" },
                new UserConfig { Username = "app", Password = "pw", Account = "APP" },
            ];
        });
    }

    [TearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private async Task<RawClient> SysAsync(params string[] subjects)
    {
        var client = await _server.ConnectAsync(SysConnect);
        // On a loaded machine a test may still read 2 s after CONNECT, when the server sends its
        // first (RTT) PING: answered and skipped, not mistaken for the event awaited.
        client.AnswerPings = true;
        var sid = 1;
        foreach (var subject in subjects)
        {
            await client.SendAsync($"SUB {subject} {sid++}\r\n");
        }
        await client.PingAsync();
        return client;
    }

    private static JsonElement Json(ServerFrame frame) => JsonDocument.Parse(frame.Payload).RootElement;

    [Test]
    public async Task PingIdzAnswersWithTheServersIdentity()
    {
        await using var sys = await SysAsync("reply");
        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING.IDZ reply 0\r\n\r\n");
        var answer = Json(await sys.ReadMessageAsync());
        Assert.That(answer.GetProperty("name").GetString(), Is.EqualTo("alpha"));
        Assert.That(answer.GetProperty("id").GetString(), Is.EqualTo(_server.Server.ServerId));
        Assert.That(answer.GetProperty("host").GetString(), Is.EqualTo("127.0.0.1"));
    }

    [Test]
    public async Task VarzIsWrappedWithTheServerBlock()
    {
        await using var sys = await SysAsync("reply");
        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING.VARZ reply 0\r\n\r\n");
        var frame = await sys.ReadMessageAsync();
        var answer = Json(frame);
        var names = answer.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.That(names, Is.EqualTo(new[] { "server", "data" }), "nats-server's ServerAPIResponse order");
        var server = answer.GetProperty("server");
        Assert.That(server.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "name", "host", "id", "ver", "tags", "jetstream", "flags", "seq", "time" }));
        Assert.That(server.GetProperty("tags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "az:1", "ssd" }));
        Assert.That(server.GetProperty("seq").GetUInt64(), Is.GreaterThan(0UL));
        Assert.That(answer.GetProperty("data").GetProperty("server_id").GetString(), Is.EqualTo(_server.Server.ServerId));
        Assert.That(answer.GetProperty("data").GetProperty("tags")[0].GetString(), Is.EqualTo("az:1"));
        // Go's json.Marshal: compact.
        Assert.That(frame.PayloadText, Does.Not.Contain("\n"));
    }

    [Test]
    public async Task RequestsByIdReachOnlyThatServer()
    {
        await using var sys = await SysAsync("reply");
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.{_server.Server.ServerId}.HEALTHZ reply 0\r\n\r\n");
        var answer = Json(await sys.ReadMessageAsync());
        Assert.That(answer.GetProperty("data").GetProperty("status").GetString(), Is.EqualTo("ok"));
        await sys.SendAsync("PUB $SYS.REQ.SERVER.NOSUCHID.HEALTHZ reply 0\r\n\r\n");
        await sys.PingAsync();
    }

    [Test]
    public async Task ConnzOptionsComeFromTheRequestBody()
    {
        await using var app = await _server.ConnectAsync(AppConnect);
        await app.SendAsync("SUB orders.> 1\r\n");
        await app.PingAsync();
        await using var sys = await SysAsync("reply");
        var body = """{"subscriptions":true,"acc":"APP"}""";
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.PING.CONNZ reply {body.Length}\r\n{body}\r\n");
        var data = Json(await sys.ReadMessageAsync()).GetProperty("data");
        var connections = data.GetProperty("connections");
        Assert.That(connections.GetArrayLength(), Is.EqualTo(1));
        Assert.That(connections[0].GetProperty("name").GetString(), Is.EqualTo("billing"));
        Assert.That(connections[0].GetProperty("subscriptions_list")[0].GetString(), Is.EqualTo("orders.>"));
    }

    [Test]
    public async Task AccountConnzListsThatAccountsClients()
    {
        await using var app = await _server.ConnectAsync(AppConnect);
        await using var sys = await SysAsync("reply");
        await sys.SendAsync("PUB $SYS.REQ.ACCOUNT.APP.CONNZ reply 0\r\n\r\n");
        var data = Json(await sys.ReadMessageAsync()).GetProperty("data");
        Assert.That(data.GetProperty("num_connections").GetInt32(), Is.EqualTo(1));
        Assert.That(data.GetProperty("connections")[0].GetProperty("name").GetString(), Is.EqualTo("billing"));
    }

    [Test]
    public async Task AFilterForAnotherServerGetsNoAnswer()
    {
        await using var sys = await SysAsync("reply");
        var other = """{"server_name":"beta"}""";
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.PING.VARZ reply {other.Length}\r\n{other}\r\n");
        var tags = """{"tags":["ssd"],"server_name":"alp"}""";
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.PING.VARZ reply2 {tags.Length}\r\n{tags}\r\n");
        await sys.SendAsync("SUB reply2 9\r\n");
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.PING.VARZ reply2 {tags.Length}\r\n{tags}\r\n");
        var frame = await sys.ReadMessageAsync();
        Assert.That(frame.Subject, Is.EqualTo("reply2"), "only the matching filter is answered");
        var exact = """{"server_name":"alp","exact_match":true}""";
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.PING.VARZ reply {exact.Length}\r\n{exact}\r\n");
        Assert.That(await sys.DrainAsync(TimeSpan.FromMilliseconds(300)), Does.Not.Contain("MSG reply "));
    }

    [Test]
    public async Task ABadRequestBodyGetsA400Error()
    {
        await using var sys = await SysAsync("reply");
        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING.VARZ reply 5\r\n{nope\r\n");
        var answer = Json(await sys.ReadMessageAsync());
        Assert.That(answer.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(400));
        Assert.That(answer.TryGetProperty("data", out _), Is.False);
    }

    [Test]
    public async Task StatszAnswersBareAndBroadcastsWithoutReply()
    {
        await using var sys = await SysAsync("reply", $"$SYS.SERVER.{_server.Server.ServerId}.STATSZ");
        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING reply 0\r\n\r\n");
        var frame = await sys.ReadMessageAsync();
        Assert.That(frame.Subject, Is.EqualTo("reply"));
        var answer = Json(frame);
        Assert.That(answer.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "server", "statsz" }));
        var statsz = answer.GetProperty("statsz");
        Assert.That(statsz.GetProperty("connections").GetInt32(), Is.EqualTo(1));
        Assert.That(statsz.GetProperty("cores").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
        Assert.That(statsz.GetProperty("sent").GetProperty("msgs").ValueKind, Is.EqualTo(JsonValueKind.Number));
    }

    [Test]
    public async Task StatszIsPublishedPeriodically()
    {
        await using var sys = await SysAsync($"$SYS.SERVER.{_server.Server.ServerId}.STATSZ");
        var frame = await sys.ReadMessageAsync();
        Assert.That(frame.Subject, Is.EqualTo($"$SYS.SERVER.{_server.Server.ServerId}.STATSZ"));
        Assert.That(Json(frame).GetProperty("statsz").GetProperty("start").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task StatszIsBuiltOnlyWhenSomeoneWouldReceiveIt()
    {
        var built = 0;
        _server.Server.SystemServices.AddStatszContributor(_ => Interlocked.Increment(ref built));
        // The ticks 0.25, 0.75 and 1.75 s after the start find nobody subscribed: nothing is built
        // (an idle server would otherwise spend memory on the JSON writer for a message nobody gets).
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Volatile.Read(ref built), Is.Zero, "built with nobody listening");

        await using var sys = await SysAsync($"$SYS.SERVER.{_server.Server.ServerId}.STATSZ");
        Assert.That((await sys.ReadMessageAsync()).Subject, Is.EqualTo($"$SYS.SERVER.{_server.Server.ServerId}.STATSZ"));
        Assert.That(Volatile.Read(ref built), Is.GreaterThan(0), "built once someone listens");
    }

    [Test]
    public async Task ConnectAndDisconnectEventsAreSentInTheSystemAccount()
    {
        await using var sys = await SysAsync("$SYS.ACCOUNT.APP.CONNECT", "$SYS.ACCOUNT.APP.DISCONNECT", "$SYS.ACCOUNT.APP.SERVER.CONNS");
        var app = await _server.ConnectAsync(AppConnect);
        await app.SendAsync("PUB x 5\r\nhello\r\n");
        await app.PingAsync();
        // As nats-server: the account's count (SERVER.CONNS) changes when the client joins the
        // account, the CONNECT event follows once it is fully connected.
        var conns = await sys.ReadMessageAsync();
        Assert.That(conns.Subject, Is.EqualTo("$SYS.ACCOUNT.APP.SERVER.CONNS"));
        Assert.That(Json(conns).GetProperty("conns").GetInt32(), Is.EqualTo(1));
        var connect = await sys.ReadMessageAsync();
        Assert.That(connect.Subject, Is.EqualTo("$SYS.ACCOUNT.APP.CONNECT"));
        var connectJson = Json(connect);
        Assert.That(connectJson.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "type", "id", "timestamp", "server", "client" }));
        Assert.That(connectJson.GetProperty("type").GetString(), Is.EqualTo("io.nats.server.advisory.v1.client_connect"));
        var client = connectJson.GetProperty("client");
        Assert.That(client.GetProperty("acc").GetString(), Is.EqualTo("APP"));
        Assert.That(client.GetProperty("user").GetString(), Is.EqualTo("app"));
        Assert.That(client.GetProperty("name").GetString(), Is.EqualTo("billing"));
        Assert.That(client.GetProperty("kind").GetString(), Is.EqualTo("Client"));
        Assert.That(client.GetProperty("client_type").GetString(), Is.EqualTo("nats"));

        await app.DisposeAsync();
        var disconnect = await sys.ReadMessageAsync();
        Assert.That(disconnect.Subject, Is.EqualTo("$SYS.ACCOUNT.APP.DISCONNECT"));
        var disconnectJson = Json(disconnect);
        Assert.That(disconnectJson.GetProperty("reason").GetString(), Is.EqualTo("Client Closed"));
        Assert.That(disconnectJson.GetProperty("sent").GetProperty("msgs").GetInt64(), Is.EqualTo(1));
        Assert.That(disconnectJson.GetProperty("sent").GetProperty("bytes").GetInt64(), Is.EqualTo(5));
        Assert.That(disconnectJson.GetProperty("client").GetProperty("stop").GetString(), Is.Not.Empty);
        var after = await sys.ReadMessageAsync();
        Assert.That(Json(after).GetProperty("conns").GetInt32(), Is.EqualTo(0));
    }

    [Test]
    public async Task AFailedLoginIsAnAuthErrorEvent()
    {
        await using var sys = await SysAsync($"$SYS.SERVER.{_server.Server.ServerId}.CLIENT.AUTH.ERR");
        Assert.That(await RawClient.TryLoginAsync(_server.Port, "app", "wrong"), Does.Contain("Authorization Violation"));
        var answer = Json(await sys.ReadMessageAsync());
        Assert.That(answer.GetProperty("reason").GetString(), Is.EqualTo("Authentication Failure"));
        Assert.That(answer.GetProperty("type").GetString(), Is.EqualTo("io.nats.server.advisory.v1.client_disconnect"));
    }

    [Test]
    public async Task LameDuckAndShutdownAreAnnounced()
    {
        await using var sys = await SysAsync($"$SYS.SERVER.{_server.Server.ServerId}.*");
        await sys.SendAsync($"UNSUB 1\r\nSUB $SYS.SERVER.{_server.Server.ServerId}.LAMEDUCK 2\r\nSUB $SYS.SERVER.{_server.Server.ServerId}.SHUTDOWN 3\r\n");
        await sys.PingAsync();
        _ = _server.Server.EnterLameDuckModeAsync();
        var lameDuck = await sys.ReadMessageAsync();
        Assert.That(lameDuck.Subject, Does.EndWith(".LAMEDUCK"));
        Assert.That(Json(lameDuck).GetProperty("id").GetString(), Is.EqualTo(_server.Server.ServerId));
        await _server.Server.ShutdownAsync();
        Assert.That(sys.Received + await sys.ReadUntilClosedAsync(), Does.Contain(".SHUTDOWN"));
    }

    [Test]
    public async Task APluginAddsRequestsStatszPartsAndJetStreamState()
    {
        var services = _server.Server.SystemServices;
        using var jsz = services.AddServerRequest("JSZ", request => new(new { streams = 3, body = request.Payload.Length }));
        using var info = services.AddAccountRequest("PLUGINZ", request => request.Account == "APP"
            ? new(new { account = request.Account })
            : throw new SystemRequestException("account not found", 404));
        services.AddStatszContributor(statsz => statsz.JetStream = new { memory = 1 });
        services.SetJetStream(true, "hub");

        await using var sys = await SysAsync("reply");
        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING.JSZ reply 2\r\n{}\r\n");
        var answer = Json(await sys.ReadMessageAsync());
        Assert.That(answer.GetProperty("data").GetProperty("streams").GetInt32(), Is.EqualTo(3));
        var server = answer.GetProperty("server");
        Assert.That(server.GetProperty("jetstream").GetBoolean(), Is.True);
        Assert.That(server.GetProperty("flags").GetUInt64(), Is.EqualTo(1UL));
        Assert.That(server.GetProperty("domain").GetString(), Is.EqualTo("hub"));

        var domain = """{"domain":"other"}""";
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.PING.JSZ reply {domain.Length}\r\n{domain}\r\n");
        await sys.SendAsync("PUB $SYS.REQ.ACCOUNT.APP.PLUGINZ reply 0\r\n\r\n");
        Assert.That(Json(await sys.ReadMessageAsync()).GetProperty("data").GetProperty("account").GetString(), Is.EqualTo("APP"), "the other domain got no answer");
        await sys.SendAsync("PUB $SYS.REQ.ACCOUNT.NOPE.PLUGINZ reply 0\r\n\r\n");
        var error = Json(await sys.ReadMessageAsync()).GetProperty("error");
        Assert.That(error.GetProperty("code").GetInt32(), Is.EqualTo(404));
        Assert.That(error.GetProperty("description").GetString(), Is.EqualTo("account not found"));

        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING.STATSZ reply 0\r\n\r\n");
        Assert.That(Json(await sys.ReadMessageAsync()).GetProperty("statsz").GetProperty("jetstream").GetProperty("memory").GetInt32(), Is.EqualTo(1));

        jsz.Dispose();
        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING.JSZ reply 0\r\n\r\n");
        Assert.That(await sys.DrainAsync(TimeSpan.FromMilliseconds(300)), Does.Not.Contain("MSG reply"), "no longer served");
    }

    [Test]
    public async Task AccountRequestsAnswerForThatAccount()
    {
        await using var app = await _server.ConnectAsync(AppConnect);
        await app.SendAsync("SUB orders.* 1\r\n");
        await app.PingAsync();
        await using var sys = await SysAsync("reply");

        await sys.SendAsync("PUB $SYS.REQ.ACCOUNT.APP.SUBSZ reply 0\r\n\r\n");
        var subsz = Json(await sys.ReadMessageAsync()).GetProperty("data");
        Assert.That(subsz.GetProperty("subscriptions_list")[0].GetProperty("subject").GetString(), Is.EqualTo("orders.*"));

        await sys.SendAsync("PUB $SYS.REQ.ACCOUNT.APP.STATZ reply 0\r\n\r\n");
        var statz = Json(await sys.ReadMessageAsync()).GetProperty("data").GetProperty("account_statz");
        Assert.That(statz.GetArrayLength(), Is.EqualTo(1));
        Assert.That(statz[0].GetProperty("acc").GetString(), Is.EqualTo("APP"));
        Assert.That(statz[0].GetProperty("conns").GetInt32(), Is.EqualTo(1));

        await sys.SendAsync("PUB $SYS.REQ.ACCOUNT.APP.CONNS reply 0\r\n\r\n");
        var conns = Json(await sys.ReadMessageAsync());
        Assert.That(conns.GetProperty("type").GetString(), Is.EqualTo("io.nats.server.advisory.v1.account_connections"));
        // The client's one subscription and the 4 system imports (nats-server counts the account's sublist too).
        Assert.That(conns.GetProperty("num_subscriptions").GetInt32(), Is.EqualTo(1 + 4));

        // An account with no clients here, and an unknown one: no answer.
        await sys.SendAsync("PUB $SYS.REQ.ACCOUNT.$G.STATZ reply 0\r\n\r\nPUB $SYS.REQ.ACCOUNT.NOPE.CONNS reply 0\r\n\r\n");
        Assert.That(await sys.DrainAsync(TimeSpan.FromMilliseconds(300)), Does.Not.Contain("MSG reply"));
    }

    [Test]
    public async Task AccountzAndRoutezAnswerWithoutACluster()
    {
        await using var sys = await SysAsync("reply");
        var body = """{"account":"APP"}""";
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.PING.ACCOUNTZ reply {body.Length}\r\n{body}\r\n");
        var accountz = Json(await sys.ReadMessageAsync()).GetProperty("data");
        Assert.That(accountz.GetProperty("account_detail").GetProperty("account_name").GetString(), Is.EqualTo("APP"));
        await sys.SendAsync("PUB $SYS.REQ.SERVER.PING.ROUTEZ reply 0\r\n\r\n");
        var routez = Json(await sys.ReadMessageAsync()).GetProperty("data");
        Assert.That(routez.GetProperty("num_routes").GetInt32(), Is.Zero);
        Assert.That(routez.GetProperty("server_id").GetString(), Is.EqualTo(_server.Server.ServerId));
    }

    [Test]
    public async Task ReloadWithoutAConfigFileIsRefused()
    {
        await using var sys = await SysAsync("reply");
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.{_server.Server.ServerId}.RELOAD reply 0\r\n\r\n");
        var error = Json(await sys.ReadMessageAsync()).GetProperty("error");
        Assert.That(error.GetProperty("code").GetInt32(), Is.EqualTo(500));
        Assert.That(error.GetProperty("description").GetString(), Is.EqualTo("can only reload config when a file is provided using -c or --config"));
    }

    [Test]
    public async Task ReloadRunsTheConfiguredReloader()
    {
        var proposed = _server.Server.Options.Clone();
        proposed.MaxPayload = 4096;
        _server.Server.ConfigurationReloader = () => Task.FromResult(_server.Server.Reload(proposed));
        await using var sys = await SysAsync("reply");
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.{_server.Server.ServerId}.RELOAD reply 0\r\n\r\n");
        var answer = Json(await sys.ReadMessageAsync());
        Assert.That(answer.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "server" }));
        Assert.That(_server.Server.Info.MaxPayload, Is.EqualTo(4096));
    }
}
