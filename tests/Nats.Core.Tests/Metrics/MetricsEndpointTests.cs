using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Nats.Core.Config;
using Nats.Core.Metrics;
using Nats.Core.Tests.Monitoring;

namespace Nats.Core.Tests.Metrics;

[CancelAfter(30_000)]
public class MetricsEndpointTests
{
    private static void OneAccount(ServerOptions o)
    {
        o.Auth.Accounts.Add(new AccountConfig { Name = "A" });
        o.Auth.Users.Add(new UserConfig { Username = "a", Password = "a", Account = "A" });
        o.Auth.Users.Add(new UserConfig { Username = "g", Password = "g" });
    }

    [Test]
    public async Task ServesTheExportersSeriesWithTheNumbersOfTheJsonEndpoints(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, OneAccount);
        var subscriber = await fixture.ConnectAsync("SUB foo 1\r\nSUB bar 2\r\nPING\r\n", cancellationToken, """{"verbose":false,"user":"a","pass":"a"}""");
        await subscriber.ExpectAsync("PONG\r\n");
        await fixture.ConnectAsync("PUB foo 5\r\nhello\r\nPUB foo 3\r\nabc\r\n", cancellationToken, """{"verbose":false,"user":"a","pass":"a"}""");
        await subscriber.ExpectAsync("abc\r\n");

        var (status, body, contentType) = await fixture.GetAsync("/metrics", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(contentType, Is.EqualTo("text/plain"));
        var families = PrometheusText.Parse(body);
        var varz = await fixture.GetJsonAsync("/varz", cancellationToken);
        var id = fixture.Server.ServerId;

        double One(string name)
        {
            Assert.That(families, Does.ContainKey(name));
            var sample = families[name].Samples.Single();
            Assert.That(sample.Labels["server_id"], Is.EqualTo(id), name);
            return sample.Value;
        }

        double Account(string name, string account) =>
            families[name].Samples.Single(s => s.Labels["account"] == account && s.Labels["account_id"] == account && s.Labels["server_id"] == id).Value;

        Assert.Multiple(() =>
        {
            Assert.That(families.Values.Select(f => f.Type), Is.All.EqualTo("gauge"));
            Assert.That(One("gnatsd_varz_connections"), Is.EqualTo(2));
            Assert.That(One("gnatsd_varz_total_connections"), Is.EqualTo(2));
            Assert.That(One("gnatsd_varz_in_msgs"), Is.EqualTo(2));
            Assert.That(One("gnatsd_varz_in_bytes"), Is.EqualTo(8));
            Assert.That(One("gnatsd_varz_out_msgs"), Is.EqualTo(2));
            Assert.That(One("gnatsd_varz_out_bytes"), Is.EqualTo(8));
            Assert.That(One("gnatsd_varz_subscriptions"), Is.EqualTo((double)(uint)varz["subscriptions"]!));
            Assert.That(One("gnatsd_varz_max_payload"), Is.EqualTo((double)(int)varz["max_payload"]!));
            Assert.That(One("gnatsd_varz_ping_interval"), Is.EqualTo(120_000_000_000d), "nanoseconds, as /varz's JSON number");
            Assert.That(One("gnatsd_varz_start"), Is.EqualTo(new DateTimeOffset(fixture.Server.StartTime).ToUnixTimeMilliseconds()));
            Assert.That(One("gnatsd_varz_mem"), Is.GreaterThan(0));
            Assert.That(families["gnatsd_varz_version"].Samples.Single().Labels["value"], Is.EqualTo(ServerVersion.CompatibleNatsVersion));
            Assert.That(families["gnatsd_varz_server_name"].Samples.Single().Labels["value"], Is.EqualTo(fixture.Server.Name));
            Assert.That(One("gnatsd_connz_num_connections"), Is.EqualTo(2));
            Assert.That(One("gnatsd_connz_limit"), Is.EqualTo(1024));
            Assert.That(One("gnatsd_connz_subscriptions"), Is.EqualTo(2));
            Assert.That(One("gnatsd_connz_in_msgs"), Is.EqualTo(2));
            Assert.That(One("gnatsd_connz_out_bytes"), Is.EqualTo(8));
            Assert.That(One("gnatsd_subsz_num_subscriptions"), Is.EqualTo(One("gnatsd_varz_subscriptions")));
            Assert.That(One("gnatsd_subsz_num_inserts"), Is.GreaterThanOrEqualTo(2));
            Assert.That(One("gnatsd_routez_num_routes"), Is.EqualTo(0));
            Assert.That(Account("gnatsd_accstatz_current_connections", "A"), Is.EqualTo(2));
            Assert.That(Account("gnatsd_accstatz_current_connections", "$G"), Is.EqualTo(0));
            Assert.That(Account("gnatsd_accstatz_subscriptions", "A"), Is.EqualTo(2 + 4), "2 and the 4 system imports");
            Assert.That(Account("gnatsd_accstatz_received_messages", "A"), Is.EqualTo(2));
            Assert.That(Account("gnatsd_accstatz_sent_bytes", "A"), Is.EqualTo(8));
        });
    }

    [Test]
    public async Task PromtoolFindsNoProblem(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, OneAccount);
        await fixture.ConnectAsync("SUB foo 1\r\n", cancellationToken, """{"verbose":false,"user":"a","pass":"a"}""");
        var (_, body, _) = await fixture.GetAsync("/metrics", cancellationToken);

        var psi = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var promtool = Process.Start(psi)!;
        var output = promtool.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = promtool.StandardError.ReadToEndAsync(cancellationToken);
        await promtool.StandardInput.WriteAsync(body);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync(cancellationToken);
        Assert.That(promtool.ExitCode, Is.EqualTo(0), await output + await errors);
        Assert.That((await output + await errors).Trim(), Is.Empty, "no lint findings");
    }

    [Test]
    public async Task AMeterListenerSeesTheSameSeriesAsOpenTelemetryWould(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        await fixture.ConnectAsync("SUB foo 1\r\n", cancellationToken);
        await Nats.TestSupport.Eventually.TrueAsync(() => fixture.Server.Clients.Count == 1, "the connection");

        // What OpenTelemetry's AddMeter("Nats.Server") does: listen to every meter of that name.
        var seen = new List<(string Server, long Value)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NatsMetrics.MeterName && instrument.Name == "gnatsd_varz_total_connections")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "server_id")
                {
                    seen.Add(((string)tag.Value!, value));
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.That(seen, Does.Contain((fixture.Server.ServerId, 1L)));
        Assert.That(fixture.Server.Metrics.Meter.Name, Is.EqualTo("Nats.Server"));
    }

    [Test]
    public void LabelValuesAndHelpAreEscaped()
    {
        using var meter = new Meter("escape-test");
        var exposition = new PrometheusExposition(meter);
        meter.CreateObservableGauge("odd", () => new Measurement<double>(double.NaN, new KeyValuePair<string, object?>("v", "a\"b\\c\nd")), description: "line\\one\ntwo");
        var text = new StringWriter();
        exposition.Write(text);
        exposition.Dispose();
        Assert.That(text.ToString(), Is.EqualTo("# HELP odd line\\\\one\\ntwo\n# TYPE odd gauge\nodd{v=\"a\\\"b\\\\c\\nd\"} NaN\n"));
        Assert.That(PrometheusText.Parse(text.ToString())["odd"].Samples.Single().Labels["v"], Is.EqualTo("a\"b\\c\nd"));
    }
}
