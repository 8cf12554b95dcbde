using System.Diagnostics;
using Nats.JetStream.Engine;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Engine;

/// <summary>
/// Pull consumer throughput inside the engine (no network): N messages of 128 bytes on a file
/// stream, pulled in batches of 1000 and acked explicitly. Run by hand:
/// <c>dotnet test tests/Nats.JetStream.Tests -c Release --filter Category=Bench</c>.
/// </summary>
[Explicit("measurement")]
[Category("Bench")]
[CancelAfter(300_000)]
public sealed class ConsumerBenchmark
{
    private sealed class CountingOutput : IJetStreamOutput
    {
        public long Delivered;
        public readonly System.Collections.Concurrent.ConcurrentQueue<string> Replies = new();

        public void Publish(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
        {
        }

        public void Deliver(string deliverTo, string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
        {
            Interlocked.Increment(ref Delivered);
            Replies.Enqueue(reply!);
        }

        public bool HasInterest(string subject) => true;
    }

    [TestCase(200_000)]
    public async Task PullAndAck(int count)
    {
        var dir = Path.Combine(Path.GetTempPath(), "js-bench-" + Guid.NewGuid().ToString("N"));
        var output = new CountingOutput();
        using (var account = new JsAccount(new JsAccountOptions { StoreDirectory = dir }, output))
        {
            account.HandleApi("$JS.API.STREAM.CREATE.B", null, default, "{\"name\":\"B\",\"subjects\":[\"b.>\"]}"u8);
            var payload = new byte[128];
            for (var i = 0; i < count; i++)
            {
                account.HandlePublish("b.x", null, default, payload);
            }
            await account.FindStream("B")!.Store.FlushAsync();
            account.HandleApi("$JS.API.CONSUMER.CREATE.B.C", null, default, "{\"stream_name\":\"B\",\"config\":{\"durable_name\":\"C\",\"ack_policy\":\"explicit\",\"max_ack_pending\":-1}}"u8);
            var watch = Stopwatch.StartNew();
            var acked = 0;
            while (acked < count)
            {
                var target = Math.Min(count, acked + 1000);
                account.HandleApi("$JS.API.CONSUMER.MSG.NEXT.B.C", "_INBOX.b", default, "{\"batch\":1000,\"expires\":5000000000}"u8);
                var deadline = Environment.TickCount64 + 30_000;
                while (Interlocked.Read(ref output.Delivered) < target)
                {
                    Assert.That(Environment.TickCount64, Is.LessThan(deadline), "batch delivered");
                    await Task.Delay(1);
                }
                while (output.Replies.TryDequeue(out var reply))
                {
                    account.HandleAck(reply, null, "+ACK"u8);
                    acked++;
                }
            }
            watch.Stop();
            TestContext.Out.WriteLine($"pull+ack {count} msgs: {watch.Elapsed.TotalSeconds:F2}s, {count / watch.Elapsed.TotalSeconds:F0} msgs/s");
        }
        Directory.Delete(dir, true);
    }
}
