using Nats.Core.Subjects;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>The outbound hot path (RMSG formatting into the coalescing buffer) allocates nothing per message.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class AllocationTests
{
    [Test]
    public async Task Forwarding_a_message_allocates_nothing()
    {
        await using var pair = await GatewayPair.StartAsync();
        var (a, b) = (pair.A, pair.B);
        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var sub = await onB.SubscribeCoreAsync<string>("alloc.*");
        await Gateways.WaitForInterestAsync(onA, sub, "alloc.x");

        var link = a.Manager.Connections().Outbound.Single();
        var account = a.Server.Accounts.Global;
        var payload = new byte[128];
        var headers = "NATS/1.0\r\nX: y\r\n\r\n"u8.ToArray();
        bool Send(int i) => link.Forward(account, new MessageView("alloc.x"u8, "reply.to"u8, i % 2 == 0 ? headers : default, payload), []);
        for (var i = 0; i < 2000; i++)
        {
            Assert.That(Send(i), Is.True);
        }
        // Past the 2 s window in which a new local subscription (the client's inbox) maps replies.
        await Task.Delay(GatewayManager.RecentSubscriptionWindow + TimeSpan.FromMilliseconds(500));
        // As on a publisher's read loop: a batch of messages, flushed once; measured per batch on
        // this thread, with the writer draining in between (a queue that keeps growing takes new
        // buffer chunks, which is back-pressure's business, not the message path's).
        var batch = new Nats.Core.Connections.FlushBatch();
        await AllocationRounds.AssertMostAllocateNothingAsync(100, () =>
        {
            batch.Begin();
            for (var i = 0; i < 100; i++)
            {
                Send(i);
            }
            batch.End();
        }, () => Eventually.TrueAsync(() => link.PendingBytes == 0, "the writer drained"));
    }
}
