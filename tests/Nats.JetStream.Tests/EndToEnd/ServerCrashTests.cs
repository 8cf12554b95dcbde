using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.JetStream.Tests.Storage;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>
/// kill -9 of the WHOLE server process (kernel, JetStream plugin, file store; default
/// <c>sync: always</c>) while NATS.Net publishers have many publishes in flight: after a restart
/// on the same directory, every publish that was acknowledged is in the stream with its payload,
/// at its acknowledged sequence, and the stream is healthy. Twice per round (the second life
/// recovers what the first left, then is killed too).
/// </summary>
[CancelAfter(180_000)]
[Category("Slow")]
public sealed class ServerCrashTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Path.Combine(Path.GetTempPath(), "js-server-crash-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public async Task Every_acknowledged_publish_survives_kill_9_of_the_server([Values(1, 2)] int round, CancellationToken ct)
    {
        var acked = new ConcurrentDictionary<ulong, string>();
        for (var life = 0; life < 2; life++)
        {
            await using var child = await ServerChild.StartAsync(_dir, ct);
            await using var client = new NatsClient(new NatsOpts { Url = child.Url, RequestTimeout = TimeSpan.FromSeconds(10) });
            var js = client.CreateJetStreamContext();
            if (life == 0)
            {
                await js.CreateStreamAsync(new StreamConfig("CRASH", ["crash.>"]), ct);
            }
            using var stop = new CancellationTokenSource();
            var publishers = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
            {
                var n = 0;
                while (!stop.IsCancellationRequested)
                {
                    // Async publishes in flight: many share one group commit.
                    var batch = Enumerable.Range(0, 32).Select(async i =>
                    {
                        var text = $"{life}-{p}-{n}-{i}";
                        try
                        {
                            // stop is cancelled only after the kill: a publish still waiting then can
                            // no longer be acknowledged, and the client may hold it for a reconnect that
                            // never comes (once in a CI run the publishers did not end within 60 s).
                            var ack = await js.PublishAsync($"crash.{p}", Encoding.UTF8.GetBytes(text), cancellationToken: stop.Token);
                            if (ack.Error is null && !ack.Duplicate)
                            {
                                Assert.That(acked.TryAdd(ack.Seq, text), Is.True, $"sequence {ack.Seq} acknowledged twice");
                            }
                        }
                        catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
                        {
                            // Not acknowledged: the server died first; no promise was made.
                        }
                    }).ToList();
                    await Task.WhenAll(batch);
                    n++;
                }
            }, CancellationToken.None)).ToList();

            var before = acked.Count;
            await Utils.WaitUntilAsync(() => acked.Count >= before + 2000, TimeSpan.FromSeconds(60), "2000 acknowledged publishes in this life");
            await Task.Delay(TimeSpan.FromMilliseconds(100 * round), ct); // a different moment in each round
            child.Kill9();
            await stop.CancelAsync();
            await Task.WhenAll(publishers).WaitAsync(TimeSpan.FromSeconds(60), ct);
        }

        await using var last = await ServerChild.StartAsync(_dir, ct);
        await using var reader = new NatsClient(new NatsOpts { Url = last.Url, RequestTimeout = TimeSpan.FromSeconds(10) });
        var jsr = reader.CreateJetStreamContext();
        var stream = await jsr.GetStreamAsync("CRASH", cancellationToken: ct);
        var stored = new Dictionary<ulong, string>();
        var consumer = await jsr.CreateOrderedConsumerAsync("CRASH", cancellationToken: ct);
        var expected = (long)stream.Info.State.Messages;
        await foreach (var msg in consumer.ConsumeAsync<byte[]>(cancellationToken: ct))
        {
            stored[msg.Metadata!.Value.Sequence.Stream] = Encoding.UTF8.GetString(msg.Data!);
            if (stored.Count >= expected)
            {
                break;
            }
        }
        var missing = acked.Where(kv => !stored.TryGetValue(kv.Key, out var text) || text != kv.Value).Select(kv => kv.Key).Order().Take(10).ToList();
        Assert.That(missing, Is.Empty, $"acknowledged publishes lost or changed ({acked.Count} acknowledged, {stored.Count} stored)");
        Assert.That(acked.Count, Is.GreaterThanOrEqualTo(4000));
    }

    /// <summary>The crash child in server mode: a whole server in its own process.</summary>
    private sealed class ServerChild : IAsyncDisposable
    {
        private readonly Process _process;

        private ServerChild(Process process, int port)
        {
            _process = process;
            Url = $"nats://127.0.0.1:{port}";
        }

        public string Url { get; }

        public static async Task<ServerChild> StartAsync(string dir, CancellationToken ct)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(CrashTests.ChildPath());
            info.ArgumentList.Add("server");
            info.ArgumentList.Add(dir);
            var process = Process.Start(info)!;
            _ = process.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("PORT ", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync(ct);
                    return new ServerChild(process, int.Parse(line[5..]));
                }
            }
            Assert.Fail("the server child exited before it listened");
            return null!;
        }

        /// <summary>SIGKILL: no shutdown, no flush, no index written.</summary>
        public void Kill9()
        {
            Process.Start("kill", ["-9", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit(10_000);
            Assert.That(_process.WaitForExit(10_000), Is.True, "killed");
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static class Utils
    {
        public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                if (watch.Elapsed > timeout)
                {
                    Assert.Fail($"timed out waiting for {what}");
                }
                await Task.Delay(20);
            }
        }
    }
}
