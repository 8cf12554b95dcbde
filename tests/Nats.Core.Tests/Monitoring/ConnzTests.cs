using System.Net;
using System.Text.Json.Nodes;
using Nats.Core.Config;

namespace Nats.Core.Tests.Monitoring;

[CancelAfter(20_000)]
public class ConnzTests
{
    private static ulong[] Cids(JsonObject connz) =>
        [.. connz["connections"]!.AsArray().Select(c => (ulong)c!["cid"]!)];

    [Test]
    public async Task ListsOpenConnectionsWithNatsServerFields(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var client = await fixture.ConnectAsync("SUB foo 1\r\nSUB bar q 2\r\nPUB foo 5\r\nhello\r\n", cancellationToken,
            """{"verbose":false,"name":"probe","lang":"go","version":"1.2.3"}""");
        // Its own MSG came before its PONG: the delivery is counted.
        Assert.That(client.Received, Does.Contain("MSG foo 1 5\r\nhello"));

        // The client read its PONG as the server's writer sent it; the writer counts the bytes
        // as written once the send returns, which on a loaded machine may be a moment later.
        var connz = await fixture.WaitForJsonAsync("/connz", j => (long?)j["connections"]?[0]?["pending_bytes"] == 0, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That((string?)connz["server_id"], Is.EqualTo(fixture.Server.ServerId));
            Assert.That((int?)connz["num_connections"], Is.EqualTo(1));
            Assert.That((int?)connz["total"], Is.EqualTo(1));
            Assert.That((int?)connz["offset"], Is.EqualTo(0));
            Assert.That((int?)connz["limit"], Is.EqualTo(1024));
        });
        var c = connz["connections"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)c["kind"], Is.EqualTo("Client"));
            Assert.That((string?)c["type"], Is.EqualTo("nats"));
            Assert.That((string?)c["ip"], Is.EqualTo("127.0.0.1"));
            Assert.That((int?)c["port"], Is.GreaterThan(0));
            Assert.That((string?)c["name"], Is.EqualTo("probe"));
            Assert.That((string?)c["lang"], Is.EqualTo("go"));
            Assert.That((string?)c["version"], Is.EqualTo("1.2.3"));
            Assert.That((uint?)c["subscriptions"], Is.EqualTo(2));
            Assert.That((long?)c["in_msgs"], Is.EqualTo(1));
            Assert.That((long?)c["in_bytes"], Is.EqualTo(5));
            Assert.That((long?)c["out_msgs"], Is.EqualTo(1));
            Assert.That((long?)c["out_bytes"], Is.EqualTo(5));
            Assert.That((long?)c["pending_bytes"], Is.EqualTo(0));
            // nats-server estimates the RTT at CONNECT (time since accept) until a PONG measures it.
            Assert.That((string?)c["rtt"], Does.Match(@"^[0-9.]+(ns|\u00b5s|ms|s)$"));
            Assert.That((string?)c["uptime"], Does.Match("^[0-9]+s$"));
            Assert.That((string?)c["idle"], Does.Match("^[0-9]+s$"));
            Assert.That(c["stop"], Is.Null, "open connections have no stop");
            Assert.That(c["reason"], Is.Null);
            Assert.That(c["subscriptions_list"], Is.Null, "only with subs=1");
            Assert.That(c["authorized_user"], Is.Null, "only with auth=1");
        });
    }

    [Test]
    public async Task SortsAndPagesLikeNatsServer(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var a = await fixture.ConnectAsync("PUB x 1\r\na\r\n", cancellationToken);
        var b = await fixture.ConnectAsync("PUB x 1\r\na\r\nPUB x 1\r\na\r\nPUB x 1\r\na\r\nSUB s1 1\r\n", cancellationToken);
        var c = await fixture.ConnectAsync("PUB x 1\r\na\r\nPUB x 1\r\na\r\nSUB s1 1\r\nSUB s2 2\r\nSUB s3 3\r\n", cancellationToken);
        var all = Cids(await fixture.GetJsonAsync("/connz", cancellationToken));
        Assert.That(all, Is.Ordered.Ascending);
        Assert.That(all, Has.Length.EqualTo(3));
        var (ca, cb, cc) = (all[0], all[1], all[2]);

        Assert.That(Cids(await fixture.GetJsonAsync("/connz?sort=msgs_from", cancellationToken)), Is.EqualTo(new[] { cb, cc, ca }));
        Assert.That(Cids(await fixture.GetJsonAsync("/connz?sort=subs", cancellationToken)), Is.EqualTo(new[] { cc, cb, ca }));
        Assert.That(Cids(await fixture.GetJsonAsync("/connz?sort=bytes_from", cancellationToken)), Is.EqualTo(new[] { cb, cc, ca }));
        Assert.That(Cids(await fixture.GetJsonAsync("/connz?sort=uptime", cancellationToken)), Is.EqualTo(new[] { cc, cb, ca }));

        var page = await fixture.GetJsonAsync("/connz?sort=msgs_from&offset=1&limit=1", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(Cids(page), Is.EqualTo(new[] { cc }));
            Assert.That((int?)page["num_connections"], Is.EqualTo(1));
            Assert.That((int?)page["total"], Is.EqualTo(3));
            Assert.That((int?)page["offset"], Is.EqualTo(1));
            Assert.That((int?)page["limit"], Is.EqualTo(1));
        });

        var beyond = await fixture.GetJsonAsync("/connz?offset=10", cancellationToken);
        Assert.That(beyond["connections"]!.AsArray(), Is.Empty);
        Assert.That((int?)beyond["total"], Is.EqualTo(3));

        var one = await fixture.GetJsonAsync($"/connz?cid={cb}", cancellationToken);
        Assert.That(Cids(one), Is.EqualTo(new[] { cb }));
        Assert.That((int?)one["limit"], Is.EqualTo(1));
        await a.FlushAsync(cancellationToken);
        await c.FlushAsync(cancellationToken);
        await b.FlushAsync(cancellationToken);
    }

    [Test]
    public async Task ListsSubscriptionsOnRequest(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var client = await fixture.ConnectAsync("SUB foo 1\r\nSUB bar q 2\r\nUNSUB 2 5\r\nPUB foo 2\r\nhi\r\nPUB foo 2\r\nhi\r\n", cancellationToken);
        await client.FlushAsync(cancellationToken);

        var subs = (await fixture.GetJsonAsync("/connz?subs=1", cancellationToken))["connections"]![0]!;
        Assert.That(subs["subscriptions_list"]!.AsArray().Select(s => (string?)s), Is.EquivalentTo(new[] { "foo", "bar" }));
        Assert.That(subs["subscriptions_list_detail"], Is.Null);

        var detail = (await fixture.GetJsonAsync("/connz?subs=detail", cancellationToken))["connections"]![0]!;
        var list = detail["subscriptions_list_detail"]!.AsArray().ToDictionary(s => (string)s!["subject"]!);
        Assert.Multiple(() =>
        {
            Assert.That((string?)list["foo"]!["sid"], Is.EqualTo("1"));
            Assert.That((long?)list["foo"]!["msgs"], Is.EqualTo(2), "every delivery counts on the subscription");
            Assert.That(list["foo"]!["max"], Is.Null);
            Assert.That(list["foo"]!["qgroup"], Is.Null);
            Assert.That(list["foo"]!["account"], Is.Null, "nats-server leaves the account out of an open connection's list");
            Assert.That((string?)list["bar"]!["qgroup"], Is.EqualTo("q"));
            Assert.That((long?)list["bar"]!["max"], Is.EqualTo(5));
            Assert.That((ulong?)list["bar"]!["cid"], Is.EqualTo((ulong?)detail["cid"]));
        });
        Assert.That(detail["subscriptions_list"], Is.Null);
    }

    [Test]
    public async Task KeepsClosedConnections(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var stays = await fixture.ConnectAsync("", cancellationToken);
        var leaves = await fixture.ConnectAsync("SUB foo 1\r\nPUB foo 3\r\nabc\r\n", cancellationToken,
            """{"verbose":false,"name":"leaver","lang":"raw"}""");
        Assert.That(leaves.Received, Does.Contain("MSG foo 1 3\r\nabc"));
        var leaverCid = Cids(await fixture.GetJsonAsync("/connz", cancellationToken)).Max();
        await leaves.DisposeAsync();

        var closed = await fixture.WaitForJsonAsync("/connz?state=closed&subs=detail",
            j => j["connections"]!.AsArray().Count == 1, cancellationToken);
        var c = closed["connections"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((int?)closed["total"], Is.EqualTo(1));
            Assert.That((ulong?)c["cid"], Is.EqualTo(leaverCid));
            Assert.That((string?)c["name"], Is.EqualTo("leaver"));
            Assert.That((string?)c["reason"], Is.EqualTo("Client Closed"));
            Assert.That((string?)c["stop"], Does.EndWith("Z"));
            Assert.That((uint?)c["subscriptions"], Is.EqualTo(1));
            Assert.That((long?)c["out_msgs"], Is.EqualTo(1));
            Assert.That((string?)c["subscriptions_list_detail"]![0]!["subject"], Is.EqualTo("foo"));
            Assert.That((string?)c["subscriptions_list_detail"]![0]!["account"], Is.EqualTo("$G"), "closed entries keep the account");
        });

        var open = await fixture.GetJsonAsync("/connz", cancellationToken);
        Assert.That(Cids(open), Does.Not.Contain(leaverCid));
        var all = await fixture.GetJsonAsync("/connz?state=all", cancellationToken);
        Assert.That((int?)all["total"], Is.EqualTo(2));
        Assert.That(Cids(all), Has.Member(leaverCid));
        var byStop = await fixture.GetJsonAsync("/connz?state=closed&sort=stop", cancellationToken);
        Assert.That(Cids(byStop), Is.EqualTo(new[] { leaverCid }));
        var byCid = await fixture.GetJsonAsync($"/connz?state=closed&cid={leaverCid}", cancellationToken);
        Assert.That(Cids(byCid), Is.EqualTo(new[] { leaverCid }));
        await stays.FlushAsync(cancellationToken);
    }

    [Test]
    public async Task ShowsUsersAndAccountsWithAuthAndFiltersByThem(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, o =>
        {
            o.Auth.Accounts.Add(new AccountConfig { Name = "A" });
            o.Auth.Users.Add(new UserConfig { Username = "alice", Password = "pa", Account = "A" });
            o.Auth.Users.Add(new UserConfig { Username = "bob", Password = "pb" });
        });
        var alice = await fixture.ConnectAsync("", cancellationToken, """{"verbose":false,"user":"alice","pass":"pa"}""");
        var bob = await fixture.ConnectAsync("", cancellationToken, """{"verbose":false,"user":"bob","pass":"pb"}""");

        var connz = await fixture.GetJsonAsync("/connz?auth=true", cancellationToken);
        var byUser = connz["connections"]!.AsArray().ToDictionary(c => (string)c!["authorized_user"]!);
        Assert.That(byUser.Keys, Is.EquivalentTo(new[] { "alice", "bob" }));
        Assert.That((string?)byUser["alice"]!["account"], Is.EqualTo("A"));
        Assert.That(byUser["bob"]!["account"], Is.Null, "the global account is not shown");

        var inA = await fixture.GetJsonAsync("/connz?acc=A&auth=1", cancellationToken);
        Assert.That(inA["connections"]!.AsArray().Select(c => (string?)c!["authorized_user"]), Is.EqualTo(new[] { "alice" }));
        Assert.That((int?)inA["total"], Is.EqualTo(1));
        var ofBob = await fixture.GetJsonAsync("/connz?user=bob&auth=1", cancellationToken);
        Assert.That(ofBob["connections"]!.AsArray().Select(c => (string?)c!["authorized_user"]), Is.EqualTo(new[] { "bob" }));
        var none = await fixture.GetJsonAsync("/connz?acc=nope", cancellationToken);
        Assert.That((int?)none["total"], Is.EqualTo(0));
        await alice.FlushAsync(cancellationToken);
        await bob.FlushAsync(cancellationToken);
    }

    [TestCase("/connz?sort=foo", "invalid sorting option: foo")]
    [TestCase("/connz?sort=stop", "sort by stop only valid on closed connections")]
    [TestCase("/connz?sort=reason&state=all", "sort by reason only valid on closed connections")]
    [TestCase("/connz?state=gone", "Error decoding state for gone")]
    [TestCase("/connz?subs=maybe", "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"maybe\": invalid syntax")]
    [TestCase("/connz?limit=ten", "Error decoding int for 'limit': strconv.Atoi: parsing \"ten\": invalid syntax")]
    [TestCase("/connz?cid=x", "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"x\": invalid syntax")]
    public async Task RefusesBadParametersAsNatsServerDoes(string path, string message, CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var (status, body, contentType) = await fixture.GetAsync(path, cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Is.EqualTo(message));
        Assert.That(contentType, Is.EqualTo("text/plain"));
    }

    [Test]
    public async Task ConnzStartsAnRttMeasurementForIdentifiedClients(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var client = await fixture.ConnectAsync("", cancellationToken, """{"verbose":false,"lang":"go"}""");
        var cid = Cids(await fixture.GetJsonAsync("/connz", cancellationToken))[0];
        // nats-server holds its own PING back for the first two seconds of a connection.
        var connection = fixture.Server.Clients.Single(c => c.Id == cid);
        await Task.Delay(connection.StartTime + TimeSpan.FromSeconds(2.1) - DateTime.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken);

        await fixture.GetJsonAsync("/connz", cancellationToken);
        await client.ExpectAsync("PING\r\n");
        await client.SendAsync("PONG\r\n", cancellationToken);
        var connz = await fixture.WaitForJsonAsync("/connz", j => (string?)j["connections"]![0]!["rtt"] != "0s", cancellationToken);
        Assert.That((string?)connz["connections"]![0]!["rtt"], Does.Match(@"^[0-9.]+(ns|\u00b5s|ms|s)$"));
        Assert.That(Cids(await fixture.GetJsonAsync("/connz?sort=rtt", cancellationToken)), Is.EqualTo(new[] { cid }));
    }
}
