using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>Two (or three) clusters of our servers joined by gateways.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class SuperClusterTests
{
    [Test]
    public async Task Messages_cross_in_both_directions()
    {
        await using var pair = await GatewayPair.StartAsync();
        var (a, b) = (pair.A, pair.B);

        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var subB = await onB.SubscribeCoreAsync<string>("to.b");
        await using var subA = await onA.SubscribeCoreAsync<string>("to.a");
        await Gateways.WaitForInterestAsync(onA, subB, "to.b");
        await Gateways.WaitForInterestAsync(onB, subA, "to.a");

        for (var i = 0; i < 100; i++)
        {
            await onA.PublishAsync("to.b", $"m{i}");
            await onB.PublishAsync("to.a", $"n{i}");
        }
        Assert.That(await Gateways.ReadAsync(subB, 100), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"m{i}")));
        Assert.That(await Gateways.ReadAsync(subA, 100), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"n{i}")));
    }

    [Test]
    public async Task Requests_are_answered_across_the_gateway()
    {
        await using var pair = await GatewayPair.StartAsync();
        var (a, b) = (pair.A, pair.B);

        await using var service = await Gateways.ConnectAsync(b.ClientUrl);
        await using var requester = await Gateways.ConnectAsync(a.ClientUrl);
        await using var sub = await service.SubscribeCoreAsync<string>("svc.echo");
        var responder = Task.Run(async () =>
        {
            await foreach (var msg in sub.Msgs.ReadAllAsync())
            {
                await msg.ReplyAsync("echo:" + msg.Data);
            }
        });
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var reply = await requester.RequestAsync<string, string>("svc.echo", "warmup", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromMilliseconds(500) });
                return reply.Data == "echo:warmup";
            }
            catch (NatsNoRespondersException)
            {
                return false;
            }
            catch (NatsNoReplyException)
            {
                return false;
            }
        }, "the service answers across the gateway", TimeSpan.FromSeconds(15));

        for (var i = 0; i < 20; i++)
        {
            var reply = await requester.RequestAsync<string, string>("svc.echo", $"r{i}", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(5) });
            Assert.That(reply.Data, Is.EqualTo($"echo:r{i}"));
        }
    }

    [Test]
    public async Task A_queue_group_is_served_locally_and_by_the_other_cluster_only_without_local_members()
    {
        await using var pair = await GatewayPair.StartAsync();
        var (a, b) = (pair.A, pair.B);

        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var remoteMember = await onB.SubscribeCoreAsync<string>("work", queueGroup: "workers");
        await Gateways.WaitForInterestAsync(onA, remoteMember, "work");

        var localMember = await onA.SubscribeCoreAsync<string>("work", queueGroup: "workers");
        await onA.PingAsync();
        for (var i = 0; i < 50; i++)
        {
            await onA.PublishAsync("work", $"w{i}");
        }
        Assert.That(await Gateways.ReadAsync(localMember, 50), Has.Count.EqualTo(50));
        await Task.Delay(300);
        Assert.That(remoteMember.Msgs.TryRead(out _), Is.False, "the remote member got nothing while a local one was there");

        await localMember.DisposeAsync();
        await onA.PingAsync();
        for (var i = 0; i < 50; i++)
        {
            await onA.PublishAsync("work", $"x{i}");
        }
        Assert.That(await Gateways.ReadAsync(remoteMember, 50), Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"x{i}")));
    }
}
