using System.Net;
using System.Text.Json.Nodes;

namespace Nats.Core.Tests.Monitoring;

[CancelAfter(20_000)]
public class VarzTests
{
    [Test]
    public async Task ReportsServerIdentityAndSettingsInNatsServerForm(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, o => o.MaxPayload = 512 * 1024);
        var varz = await fixture.GetJsonAsync("/varz", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That((string?)varz["server_id"], Is.EqualTo(fixture.Server.ServerId));
            Assert.That((string?)varz["version"], Is.EqualTo(ServerVersion.CompatibleNatsVersion));
            Assert.That((string?)varz["server_version"], Is.EqualTo(ServerVersion.Product));
            Assert.That((string?)varz["go"], Does.StartWith("dotnet"));
            Assert.That((int?)varz["port"], Is.EqualTo(fixture.Server.Port));
            Assert.That((int?)varz["http_port"], Is.EqualTo(fixture.Server.Monitoring.Port));
            Assert.That((string?)varz["http_host"], Is.EqualTo("127.0.0.1"));
            Assert.That((int?)varz["max_payload"], Is.EqualTo(512 * 1024));
            // Go encodes time.Duration as integer nanoseconds.
            Assert.That((long?)varz["ping_interval"], Is.EqualTo(120_000_000_000L));
            Assert.That((long?)varz["write_deadline"], Is.EqualTo(10_000_000_000L));
            Assert.That((double?)varz["auth_timeout"], Is.EqualTo(2));
            Assert.That(varz["auth_required"], Is.Null, "omitted when false");
            Assert.That(varz["cluster"]!.ToJsonString(), Is.EqualTo("{}"));
            Assert.That(varz["jetstream"]!.ToJsonString(), Is.EqualTo("{}"));
            Assert.That((string?)varz["system_account"], Is.EqualTo("$SYS"));
            Assert.That((string?)varz["uptime"], Does.Match("^[0-9]+s$"));
            Assert.That((string?)varz["start"], Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"));
            Assert.That((long?)varz["mem"], Is.GreaterThan(0));
            Assert.That((int?)varz["cores"], Is.EqualTo(Environment.ProcessorCount));
            Assert.That((ulong?)varz["http_req_stats"]!["/varz"], Is.EqualTo(1UL));
        });
    }

    [Test]
    public async Task CountsConnectionsMessagesAndSubscriptions(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var subscriber = await fixture.ConnectAsync("SUB foo 1\r\nSUB bar 2\r\n", cancellationToken);
        var publisher = await fixture.ConnectAsync("PUB foo 5\r\nhello\r\nPUB foo 3\r\nabc\r\nPUB nobody 2\r\nxy\r\n", cancellationToken);
        await subscriber.ExpectAsync("abc\r\n");

        var varz = await fixture.GetJsonAsync("/varz", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That((int?)varz["connections"], Is.EqualTo(2));
            Assert.That((long?)varz["total_connections"], Is.EqualTo(2));
            Assert.That((long?)varz["in_msgs"], Is.EqualTo(3));
            Assert.That((long?)varz["in_bytes"], Is.EqualTo(10));
            Assert.That((long?)varz["out_msgs"], Is.EqualTo(2));
            Assert.That((long?)varz["out_bytes"], Is.EqualTo(8));
            Assert.That((uint?)varz["subscriptions"], Is.EqualTo(2 + fixture.InternalSubscriptions));
        });

        // A closed connection's deliveries stay in the server totals.
        await subscriber.DisposeAsync();
        varz = await fixture.WaitForJsonAsync("/varz", v => (int?)v["connections"] == 1, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That((long?)varz["out_msgs"], Is.EqualTo(2));
            Assert.That((long?)varz["out_bytes"], Is.EqualTo(8));
            Assert.That((uint?)varz["subscriptions"], Is.EqualTo(fixture.InternalSubscriptions));
            Assert.That((long?)varz["total_connections"], Is.EqualTo(2));
        });
        await publisher.FlushAsync(cancellationToken);
    }

    [Test]
    public async Task CountsStaleConnectionsOnce(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(100);
            o.MaxPingsOut = 1;
        });
        // A client that never answers the server's PINGs.
        await fixture.ConnectAsync("", cancellationToken);

        var varz = await fixture.WaitForJsonAsync("/varz", v => (int?)v["connections"] == 0, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That((long?)varz["stale_connections"], Is.EqualTo(1));
            Assert.That((ulong?)varz["stale_connection_stats"]!["clients"], Is.EqualTo(1UL));
            Assert.That((long?)varz["slow_consumers"], Is.EqualTo(0));
        });
        var closed = await fixture.GetJsonAsync("/connz?state=closed", cancellationToken);
        Assert.That((string?)closed["connections"]![0]!["reason"], Is.EqualTo("Stale Connection"));
    }

    [Test]
    public async Task CountsRequestsPerPathAndAnswersJsonp(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        await fixture.GetJsonAsync("/connz", cancellationToken);
        await fixture.GetJsonAsync("/connz", cancellationToken);
        var (status, body, contentType) = await fixture.GetAsync("/varz?callback=cb", cancellationToken);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(contentType, Is.EqualTo("application/javascript"));
        Assert.That(body, Does.StartWith("cb({").And.EndWith("})"));
        var varz = JsonNode.Parse(body[3..^1])!;
        Assert.That((ulong?)varz["http_req_stats"]!["/connz"], Is.EqualTo(2UL));
        Assert.That((ulong?)varz["http_req_stats"]!["/varz"], Is.EqualTo(1UL));
    }

    [Test]
    public async Task PluginsCompleteVarz(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        fixture.Server.Monitoring.AddVarzContributor(v =>
        {
            v.Leafnodes = 3;
            v.Leaf = new Dictionary<string, object> { ["host"] = "127.0.0.1", ["port"] = 7422 };
        });
        var varz = await fixture.GetJsonAsync("/varz", cancellationToken);
        Assert.That((int?)varz["leafnodes"], Is.EqualTo(3));
        Assert.That((int?)varz["leaf"]!["port"], Is.EqualTo(7422));
    }
}
