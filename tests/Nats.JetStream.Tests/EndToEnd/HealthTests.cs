using System.Text.Json;
using Nats.Core.Monitoring;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary><c>/healthz</c>'s JetStream part: damage found at recovery makes the stream unhealthy.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class HealthTests
{
    private static (int Code, JsonElement Body) Healthz(JetStreamServer server, params (string, string)[] query)
    {
        var response = server.Server.Monitoring.Invoke("/healthz", query.Select(q => new KeyValuePair<string, string>(q.Item1, q.Item2)));
        return (response.Status, JsonDocument.Parse(MonitoringServer.Serialize(response)).RootElement.Clone());
    }

    [Test]
    public async Task A_corrupted_record_is_reported_by_healthz_and_js_enabled_only_stays_ok(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using (var nats = server.Client())
        {
            var js = nats.CreateJetStreamContext();
            await js.CreateStreamAsync(new StreamConfig("H", ["h"]), ct);
            for (var i = 0; i < 100; i++)
            {
                (await js.PublishAsync("h", $"message {i:D3} with some payload", cancellationToken: ct)).EnsureSuccess();
            }
        }
        Assert.That(Healthz(server).Code, Is.EqualTo(200));

        await server.StopForEditAsync();
        var block = Directory.GetFiles(Path.Combine(server.StoreDir, "jetstream", "$G", "streams", "H", "msgs"), "*.blk").Single();
        var bytes = await File.ReadAllBytesAsync(block, ct);
        bytes[bytes.Length / 2] ^= 0x55;
        await File.WriteAllBytesAsync(block, bytes, ct);
        await server.BootAgainAsync();

        var (code, body) = Healthz(server);
        Assert.That(code, Is.EqualTo(503), body.ToString());
        Assert.That(body.GetProperty("error").GetString(), Does.Contain("JetStream stream '$G > H' is not current"));
        Assert.That(Healthz(server, ("js-enabled-only", "true")).Code, Is.EqualTo(200));
    }
}
