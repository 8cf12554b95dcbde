using System.Net;
using System.Text.Json.Serialization;
using Nats.Core.Monitoring;

namespace Nats.Core.Tests.Monitoring;

[CancelAfter(20_000)]
public class MonitoringServerTests
{
    private sealed class Routez
    {
        [JsonPropertyName("num_routes")] public int NumRoutes { get; set; }
        [JsonPropertyName("routes")] public List<string> Routes { get; set; } = [];
    }

    [Test]
    public async Task PluginEndpointsServeAndAppearOnTheRootPage(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        fixture.Server.Monitoring.Register("/routez", request =>
        {
            if (request.GetBool("subs"))
            {
                throw new MonitoringException("subs not supported here");
            }
            return MonitoringResponse.Json(new Routez { NumRoutes = 0 });
        }, "Routes");

        var routez = await fixture.GetJsonAsync("/routez", cancellationToken);
        Assert.That((int?)routez["num_routes"], Is.EqualTo(0));
        Assert.That(routez["routes"]!.AsArray(), Is.Empty);
        var refused = await fixture.GetAsync("/routez?subs=1", cancellationToken);
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refused.Body, Is.EqualTo("subs not supported here"));

        var (status, page, contentType) = await fixture.GetAsync("/", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(contentType, Is.EqualTo("text/html"));
        // nats-server's order: General, Connections, Accounts, Account Stats, Subscriptions, Routes, Health Probe.
        var order = new[] { "./varz>General", "./connz>Connections", "./accountz>Accounts", "./accstatz>Account Stats", "./subsz>Subscriptions", "./routez>Routes", "./healthz class=last>Health Probe" }
            .Select(link => page.IndexOf(link, StringComparison.Ordinal)).ToArray();
        Assert.That(order, Has.None.EqualTo(-1), page);
        Assert.That(order, Is.Ordered.Ascending);

        var missing = await fixture.GetAsync("/nothing", cancellationToken);
        Assert.That(missing.Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task ServesUnderTheBasePathOnly(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, o => o.Monitoring.BasePath = "/nats");
        var varz = await fixture.GetJsonAsync("/nats/varz", cancellationToken);
        Assert.That((string?)varz["http_base_path"], Is.EqualTo("/nats"));
        Assert.That((await fixture.GetAsync("/varz", cancellationToken)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await fixture.GetAsync("/natsvarz", cancellationToken)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        var root = await fixture.GetAsync("/nats", cancellationToken);
        Assert.That(root.Body, Does.Contain("href=/nats/connz>"));
    }

    [Test]
    public async Task EndpointsAnswerInProcessWithoutAListener(CancellationToken cancellationToken)
    {
        await using var server = new NatsServer(new Nats.Core.Config.ServerOptions { Host = "127.0.0.1", Port = -1 });
        await server.StartAsync(cancellationToken);
        Assert.That(server.Monitoring.Port, Is.EqualTo(0), "no http_port, no listener");

        var response = server.Monitoring.Invoke("/connz", [new("sort", "bogus")]);
        Assert.That(response.Status, Is.EqualTo(400));
        Assert.That(MonitoringServer.Serialize(response), Is.EqualTo("invalid sorting option: bogus"));

        var varz = (Varz)server.Monitoring.Invoke("varz").Body;
        Assert.That(varz.ServerId, Is.EqualTo(server.ServerId));
        Assert.That(varz.HttpPort, Is.EqualTo(0));
    }
}
