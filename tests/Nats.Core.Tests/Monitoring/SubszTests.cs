using System.Net;
using Nats.Core.Config;

namespace Nats.Core.Tests.Monitoring;

[CancelAfter(20_000)]
public class SubszTests
{
    [Test]
    public async Task ReportsSublistStatisticsOverAllAccounts(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var client = await fixture.ConnectAsync("SUB foo 1\r\nSUB foo.* 2\r\nSUB bar q 3\r\nUNSUB 3\r\nPUB foo 1\r\nx\r\nPUB foo 1\r\nx\r\n", cancellationToken);
        await client.FlushAsync(cancellationToken);

        var subsz = await fixture.GetJsonAsync("/subsz", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That((string?)subsz["server_id"], Is.EqualTo(fixture.Server.ServerId));
            Assert.That((uint?)subsz["num_subscriptions"], Is.EqualTo(2 + fixture.InternalSubscriptions));
            Assert.That((ulong?)subsz["num_inserts"], Is.EqualTo(3 + fixture.InternalSubscriptions));
            Assert.That((ulong?)subsz["num_removes"], Is.EqualTo(1));
            Assert.That((ulong?)subsz["num_matches"], Is.GreaterThanOrEqualTo(1));
            Assert.That((uint?)subsz["max_fanout"], Is.EqualTo(1));
            Assert.That(subsz["cache_hit_rate"], Is.Not.Null);
            Assert.That(subsz["avg_fanout"], Is.Not.Null);
            Assert.That((int?)subsz["total"], Is.EqualTo(0));
            Assert.That((int?)subsz["limit"], Is.EqualTo(1024));
            Assert.That(subsz["subscriptions_list"], Is.Null, "only with subs=1");
        });
        // The older path answers the same.
        var old = await fixture.GetJsonAsync("/subscriptionsz", cancellationToken);
        Assert.That((uint?)old["num_subscriptions"], Is.EqualTo(2 + fixture.InternalSubscriptions));
    }

    [Test]
    public async Task ListsAndFiltersSubscriptions(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var client = await fixture.ConnectAsync("SUB foo.bar 1\r\nSUB foo.* 2\r\nSUB baz q 3\r\nPUB foo.bar 1\r\nx\r\n", cancellationToken);
        await client.FlushAsync(cancellationToken);

        var all = await fixture.GetJsonAsync("/subsz?subs=1", cancellationToken);
        var list = all["subscriptions_list"]!.AsArray();
        Assert.That((int?)all["total"], Is.EqualTo(3));
        Assert.That(list.Select(s => (string?)s!["subject"]), Is.EquivalentTo(new[] { "foo.bar", "foo.*", "baz" }));
        var baz = list.Single(s => (string?)s!["subject"] == "baz")!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)baz["account"], Is.EqualTo("$G"));
            Assert.That((string?)baz["qgroup"], Is.EqualTo("q"));
            Assert.That((string?)baz["sid"], Is.EqualTo("3"));
            Assert.That((ulong?)baz["cid"], Is.EqualTo(fixture.Server.Clients.Single().Id));
            Assert.That((long?)list.Single(s => (string?)s!["subject"] == "foo.bar")!["msgs"], Is.EqualTo(1));
        });

        var matching = await fixture.GetJsonAsync("/subsz?subs=1&test=foo.bar", cancellationToken);
        Assert.That(matching["subscriptions_list"]!.AsArray().Select(s => (string?)s!["subject"]), Is.EquivalentTo(new[] { "foo.bar", "foo.*" }));
        Assert.That((int?)matching["total"], Is.EqualTo(2));

        var page = await fixture.GetJsonAsync("/subsz?subs=1&offset=1&limit=1", cancellationToken);
        Assert.That(page["subscriptions_list"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That((int?)page["total"], Is.EqualTo(3));

        var nothing = await fixture.GetJsonAsync("/subsz?subs=1&test=other", cancellationToken);
        Assert.That(nothing["subscriptions_list"], Is.Null, "an empty list is left out, as nats-server does");
    }

    [Test]
    public async Task AutoUnsubscribeCountsDeliveriesBeforeTheUnsub(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        // Two deliveries, then "UNSUB 1 3": as in nats-server, one more message ends it.
        var client = await fixture.ConnectAsync("SUB foo 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\n", cancellationToken);
        var before = await fixture.GetJsonAsync("/subsz?subs=1", cancellationToken);
        Assert.That((long?)before["subscriptions_list"]![0]!["msgs"], Is.EqualTo(2));

        await client.SendAsync("UNSUB 1 3\r\nPUB foo 1\r\nc\r\nPUB foo 1\r\nd\r\n", cancellationToken);
        await client.FlushAsync(cancellationToken);
        Assert.That(client.Received, Does.Contain("MSG foo 1 1\r\nc"));
        Assert.That(client.Received, Does.Not.Contain("MSG foo 1 1\r\nd"));
        var after = await fixture.GetJsonAsync("/subsz", cancellationToken);
        Assert.That((uint?)after["num_subscriptions"], Is.EqualTo(fixture.InternalSubscriptions));
    }

    [Test]
    public async Task FiltersByAccount(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, o =>
        {
            o.Auth.Accounts.Add(new AccountConfig { Name = "A" });
            o.Auth.Users.Add(new UserConfig { Username = "a", Password = "a", Account = "A" });
            o.Auth.Users.Add(new UserConfig { Username = "g", Password = "g" });
        });
        var a = await fixture.ConnectAsync("SUB one 1\r\nSUB two 2\r\n", cancellationToken, """{"verbose":false,"user":"a","pass":"a"}""");
        var g = await fixture.ConnectAsync("SUB three 1\r\n", cancellationToken, """{"verbose":false,"user":"g","pass":"g"}""");

        var inA = await fixture.GetJsonAsync("/subsz?acc=A&subs=1", cancellationToken);
        Assert.That((uint?)inA["num_subscriptions"], Is.EqualTo(2 + MonitoringFixture.SystemImportsPerAccount));
        Assert.That(inA["subscriptions_list"]!.AsArray().Select(s => (string?)s!["account"]).Distinct(), Is.EqualTo(new[] { "A" }));
        var total = await fixture.GetJsonAsync("/subsz", cancellationToken);
        Assert.That((uint?)total["num_subscriptions"], Is.EqualTo(3 + fixture.InternalSubscriptions));
        await a.FlushAsync(cancellationToken);
        await g.FlushAsync(cancellationToken);
    }

    [Test]
    public async Task RefusesAWildcardTestSubject(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var (status, body, _) = await fixture.GetAsync("/subsz?test=foo.*", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Is.EqualTo("invalid test subject, must be valid publish subject: foo.*"));
    }
}
