using System.Globalization;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>The jetstream_* series of /metrics (prometheus-nats-exporter's jsz collector) against /jsz.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MetricsTests
{
    [Test]
    public async Task Metrics_has_the_exporters_jsz_series_with_the_numbers_of_jsz(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("ORDERS", ["orders.>"]), ct);
        for (var i = 0; i < 7; i++)
        {
            (await js.PublishAsync($"orders.{i}", $"order {i}", cancellationToken: ct)).EnsureSuccess();
        }
        await js.CreateOrUpdateConsumerAsync("ORDERS", new ConsumerConfig("billing") { Description = "bills orders", AckPolicy = ConsumerConfigAckPolicy.Explicit }, ct);

        var writer = new StringWriter();
        server.Server.Metrics.WritePrometheusText(writer);
        var text = writer.ToString();
        var id = server.Server.ServerId;

        double Value(string name, params (string Label, string Value)[] labels)
        {
            var lines = text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal)
                && l.Contains($"server_id=\"{id}\"", StringComparison.Ordinal)
                && labels.All(x => l.Contains($"{x.Label}=\"{x.Value}\"", StringComparison.Ordinal))).ToList();
            Assert.That(lines, Has.Count.EqualTo(1), $"{name} in:\n{text}");
            return double.Parse(lines[0][(lines[0].LastIndexOf('}') + 1)..].Trim(), CultureInfo.InvariantCulture);
        }

        var server_ = new[] { ("server_name", server.Server.Name), ("is_meta_leader", "true") };
        Assert.That(Value("jetstream_server_jetstream_disabled", server_), Is.Zero);
        Assert.That(Value("jetstream_server_total_streams", server_), Is.EqualTo(1));
        Assert.That(Value("jetstream_server_total_consumers", server_), Is.EqualTo(1));
        Assert.That(Value("jetstream_server_total_messages", server_), Is.EqualTo(7));
        Assert.That(Value("jetstream_server_total_message_bytes", server_), Is.GreaterThan(7 * 7));
        Assert.That(Value("jetstream_server_max_memory", server_), Is.GreaterThan(0));
        Assert.That(Value("jetstream_server_max_storage", server_), Is.GreaterThan(0));

        var stream = new[] { ("account", "$G"), ("account_id", "$G"), ("stream_name", "ORDERS"), ("is_stream_leader", "true") };
        Assert.That(Value("jetstream_stream_total_messages", stream), Is.EqualTo(7));
        Assert.That(Value("jetstream_stream_first_seq", stream), Is.EqualTo(1));
        Assert.That(Value("jetstream_stream_last_seq", stream), Is.EqualTo(7));
        Assert.That(Value("jetstream_stream_total_bytes", stream), Is.EqualTo(Value("jetstream_server_total_message_bytes", server_)));

        var consumer = stream.Concat([("consumer_name", "billing"), ("consumer_desc", "bills orders"), ("is_consumer_leader", "true")]).ToArray();
        Assert.That(Value("jetstream_consumer_num_pending", consumer), Is.EqualTo(7));
        Assert.That(Value("jetstream_consumer_num_ack_pending", consumer), Is.Zero);
        Assert.That(Value("jetstream_consumer_delivered_stream_seq", consumer), Is.Zero);
        Assert.That(Value("jetstream_consumer_ack_floor_stream_seq", consumer), Is.Zero);
        Assert.That(text, Does.Match("jetstream_consumer_num_pending\\{[^}]*consumer_created=\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d)\""));

        // The numbers are /jsz's.
        var jsz = System.Text.Json.JsonDocument.Parse(Nats.Core.Monitoring.MonitoringServer.Serialize(
            server.Server.Monitoring.Invoke("/jsz", [new("consumers", "true")]))).RootElement;
        Assert.That(Value("jetstream_server_total_message_bytes", server_), Is.EqualTo(jsz.GetProperty("bytes").GetDouble()));

        await Promtool.AssertCleanAsync(text, ct);
    }
}
