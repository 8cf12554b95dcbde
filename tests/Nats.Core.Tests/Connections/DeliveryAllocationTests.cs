using NATS.Client.Core;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Subjects;
using Nats.TestSupport;

namespace Nats.Core.Tests.Connections;

/// <summary>
/// Delivering to a client whose permissions filter deliveries (the authorization state read
/// per message, see ClientAuthorization) allocates nothing per message; nor does delivering
/// requests to one with allow_responses (each reply subject noted, see ResponsePermissionTable).
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class DeliveryAllocationTests
{
    [TestCase(false, TestName = "Delivering_to_a_client_with_a_delivery_filter_allocates_nothing")]
    [TestCase(true, TestName = "Delivering_requests_to_a_client_with_allow_responses_allocates_nothing")]
    public async Task Delivering_allocates_nothing(bool requests)
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users =
            [
                new UserConfig
                {
                    Username = "sub",
                    Password = "pw",
                    // A deny inside the wildcard it subscribes to: every delivery is checked.
                    Permissions = new PermissionsConfig
                    {
                        Subscribe = new SubjectPermissionConfig { Allow = ["alloc.>", "_INBOX.>"], Deny = ["alloc.secret"] },
                        Responses = new ResponsePermissionConfig { MaxMessages = 1 },
                    },
                },
            ],
        });
        await using var nats = new NATS.Client.Core.NatsConnection(new NatsOpts
        {
            Url = $"nats://127.0.0.1:{server.Port}",
            AuthOpts = new NatsAuthOpts { Username = "sub", Password = "pw" },
        });
        await nats.ConnectAsync();
        var received = 0;
        await using var sub = await nats.SubscribeCoreAsync<byte[]>("alloc.>");
        _ = Task.Run(async () =>
        {
            await foreach (var _ in sub.Msgs.ReadAllAsync())
            {
                Interlocked.Increment(ref received);
            }
        });
        await nats.PingAsync();

        var client = server.Server.Clients.Single(c => c.User == "sub");
        var subscription = client.GetSubscriptions().Single(s => s.SubjectString == "alloc.>");
        var payload = new byte[128];
        // Requests renew the entries of 100 reply subjects (noted in the warm-up).
        var replies = Enumerable.Range(0, 100).Select(i => System.Text.Encoding.ASCII.GetBytes($"_INBOX.alloc.{i}")).ToArray();
        var sent = 0;
        bool Deliver() => client.Deliver(subscription, new MessageView("alloc.x"u8, requests ? replies[sent++ % replies.Length] : default, default, payload));
        for (var i = 0; i < 2000; i++)
        {
            Assert.That(Deliver(), Is.True);
        }
        Assert.That(client.Deliver(subscription, new MessageView("alloc.secret"u8, default, default, payload)), Is.False, "the filter is on");
        await Eventually.TrueAsync(() => Volatile.Read(ref received) == 2000, "the warm-up received");

        // As on a publisher's read loop: batches flushed once, in place (the send measured on
        // this thread too), with the subscriber draining in between.
        var batch = new FlushBatch { FlushesInPlace = true };
        await AllocationRounds.AssertMostAllocateNothingAsync(100, () =>
        {
            batch.Begin();
            for (var i = 0; i < 100; i++)
            {
                Deliver();
            }
            batch.End();
        }, () => Eventually.TrueAsync(() => client.PendingBytes == 0, "the writer drained"));
        await Eventually.TrueAsync(() => Volatile.Read(ref received) == 12000, "all received");
    }
}
