using System.Diagnostics;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>
/// Side by side with nats-server (lazy fsync) through NATS.Net: async publish with acks, then a
/// pull consumer reading everything back with explicit acks. Run with
/// <c>dotnet test tests/Nats.JetStream.Tests -c Release --filter Category=Bench</c>; the numbers go to the output.
/// </summary>
[TestFixture]
[Explicit("measurement")]
[Category("Bench")]
[CancelAfter(300_000)]
public sealed class ClientBenchmark
{
    private const int Messages = 200_000;

    [Test]
    public async Task Publish_and_pull_consume_ours_vs_nats_server(CancellationToken ct)
    {
        var port = FreePorts.Take();
        var dir = Path.Combine(Path.GetTempPath(), "js-bench-ref-" + Guid.NewGuid().ToString("N"));
        await using var reference = await ReferenceServer.StartAsync($"port: {port}\nhost: 127.0.0.1\njetstream {{ store_dir: \"{dir}\" }}", port);
        var theirs = await RunAsync($"nats://127.0.0.1:{port}", ct);
        Directory.Delete(dir, recursive: true);
        // Ours second, so that the client's JIT warm-up is not counted against it.
        var ours = await MeasureAsync((await JetStreamServer.StartAsync()), s => s.Url, ct);
        TestContext.Out.WriteLine($"ours:        publish {ours.Publish:N0} msgs/s, pull+ack {ours.Consume:N0} msgs/s");
        TestContext.Out.WriteLine($"nats-server: publish {theirs.Publish:N0} msgs/s, pull+ack {theirs.Consume:N0} msgs/s");
    }

    private static async Task<(double Publish, double Consume)> MeasureAsync(JetStreamServer server, Func<JetStreamServer, string> url, CancellationToken ct)
    {
        await using (server)
        {
            return await RunAsync(url(server), ct);
        }
    }

    private static async Task<(double Publish, double Consume)> RunAsync(string url, CancellationToken ct)
    {
        await using var nats = new NatsClient(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(30) });
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("B", ["b"]), ct);
        var payload = new byte[128];
        var watch = Stopwatch.StartNew();
        var window = new List<ValueTask<PubAckResponse>>(1000);
        for (var i = 0; i < Messages; i++)
        {
            window.Add(js.PublishAsync("b", payload, cancellationToken: ct));
            if (window.Count == 1000)
            {
                foreach (var ack in window)
                {
                    (await ack).EnsureSuccess();
                }
                window.Clear();
            }
        }
        foreach (var ack in window)
        {
            (await ack).EnsureSuccess();
        }
        var publish = Messages / watch.Elapsed.TotalSeconds;

        var consumer = await js.CreateOrUpdateConsumerAsync("B", new ConsumerConfig("c") { AckPolicy = ConsumerConfigAckPolicy.Explicit }, ct);
        watch.Restart();
        var count = 0;
        await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = 1000 }, cancellationToken: ct))
        {
            await msg.AckAsync(cancellationToken: ct);
            if (++count == Messages)
            {
                break;
            }
        }
        return (publish, Messages / watch.Elapsed.TotalSeconds);
    }
}
