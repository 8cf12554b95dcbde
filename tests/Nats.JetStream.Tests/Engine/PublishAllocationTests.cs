using Nats.JetStream.Engine;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Engine;

/// <summary>
/// A publish to a file stream, from the stream's checks to the pending ack (issue 16): nothing
/// allocated per message on the publishing thread once warm. What the store's block buffer and
/// offsets allocate as they double is per block, not per message; the subject and reply strings
/// are made by the caller (the capture subscription), outside what is measured here.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class PublishAllocationTests
{
    /// <summary>Counts what the engine publishes (the pub acks), keeps nothing.</summary>
    private sealed class CountingOutput : IJetStreamOutput
    {
        public long Published;

        public void Publish(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload) => Interlocked.Increment(ref Published);

        public void Deliver(string deliverTo, string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
        {
        }

        public bool HasInterest(string subject) => false;
    }

    [Test]
    public async Task Storing_a_message_with_a_reply_allocates_nothing_per_message()
    {
        var dir = Path.Combine(Path.GetTempPath(), "js-alloc-" + Guid.NewGuid().ToString("N"));
        var output = new CountingOutput();
        try
        {
            using var account = new JsAccount(new JsAccountOptions { StoreDirectory = dir }, output);
            account.HandleApi("$JS.API.STREAM.CREATE.A", null, default, "{\"name\":\"A\",\"subjects\":[\"a.>\"]}"u8);
            var stream = account.FindStream("A")!;
            var payload = new byte[128];
            const string Subject = "a.orders.created", Reply = "_INBOX.2J8kQx0c1mW7dPz4.17";
            // Warm: the block buffer past its first doublings, the pending-ack queue sized, the
            // paths compiled.
            for (var i = 0; i < 20_000; i++)
            {
                stream.ProcessMessage(Subject, Reply, default, payload);
            }
            await stream.Store.FlushAsync();
            await AllocationRounds.AssertMostAllocateNothingAsync(
                100,
                () =>
                {
                    for (var i = 0; i < 10; i++)
                    {
                        stream.ProcessMessage(Subject, Reply, default, payload);
                    }
                },
                async () => await stream.Store.FlushAsync());
            Assert.That(SpinWait.SpinUntil(() => Interlocked.Read(ref output.Published) == 21_000, TimeSpan.FromSeconds(20)), Is.True,
                $"every publish acknowledged once durable ({Interlocked.Read(ref output.Published)} of 21000)");
            Assert.That(stream.Store.State().Msgs, Is.EqualTo(21_000UL));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
