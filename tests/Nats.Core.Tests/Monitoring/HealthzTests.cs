using System.Net;
using Nats.Core.Monitoring;

namespace Nats.Core.Tests.Monitoring;

[CancelAfter(20_000)]
public class HealthzTests
{
    private sealed class FailingCheck(string message) : IHealthCheck
    {
        public void Check(HealthzOptions options, HealthStatus status)
        {
            if (!options.JetStreamServerOnly)
            {
                status.Fail(503, HealthzErrorType.JetStream, message, "unavailable");
            }
        }
    }

    [Test]
    public async Task AnswersOkCompactly(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var (status, body, contentType) = await fixture.GetAsync("/healthz?js-enabled-only=true", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(contentType, Is.EqualTo("application/json"));
        Assert.That(body, Is.EqualTo("""{"status":"ok"}"""));
    }

    [TestCase("/healthz?js-server-only=maybe", HttpStatusCode.BadRequest, "Error decoding boolean for 'js-server-only': strconv.ParseBool: parsing \"maybe\": invalid syntax")]
    [TestCase("/healthz?stream=s", HttpStatusCode.BadRequest, """{"status":"error","error":"\"account\" must not be empty when checking stream health"}""")]
    [TestCase("/healthz?account=a&consumer=c&details=1", HttpStatusCode.BadRequest, """{"status":"error","errors":[{"type":"BAD_REQUEST","error":"\"stream\" must not be empty when checking consumer health"}]}""")]
    public async Task RefusesBadRequests(string path, HttpStatusCode expectedStatus, string expectedBody, CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var (status, body, _) = await fixture.GetAsync(path, cancellationToken);
        Assert.That(status, Is.EqualTo(expectedStatus));
        Assert.That(body, Is.EqualTo(expectedBody));
    }

    [Test]
    public async Task PluginChecksCanFailIt(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        fixture.Server.Monitoring.AddHealthCheck(new FailingCheck("JetStream not enabled"));

        var (status, body, _) = await fixture.GetAsync("/healthz", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(body, Is.EqualTo("""{"status":"unavailable","error":"JetStream not enabled"}"""));

        (status, body, _) = await fixture.GetAsync("/healthz?details=true", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(body, Is.EqualTo("""{"status":"error","errors":[{"type":"JETSTREAM","error":"JetStream not enabled"}]}"""));

        (status, _, _) = await fixture.GetAsync("/healthz?js-server-only=1", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task IsUnhealthyInLameDuckMode(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, o => o.LameDuckGracePeriod = TimeSpan.FromSeconds(10));
        var client = await fixture.ConnectAsync("", cancellationToken, """{"verbose":false,"protocol":1}""");
        // With a client connected, lame duck mode waits out the grace period before shutting down.
        _ = fixture.Server.EnterLameDuckModeAsync();
        await client.ExpectAsync("\"ldm\":true");

        var (status, body, _) = await fixture.GetAsync("/healthz", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Does.Contain("failed to be ready for connections"));
        var varz = await fixture.GetJsonAsync("/varz", cancellationToken);
        Assert.That((bool?)varz["lame_duck_mode"], Is.True);
    }
}
