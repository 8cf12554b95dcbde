using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>Our cluster gatewayed with nats-server 2.9.10's: messages, queues and requests both ways.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ReferenceInteropTests
{
    [OneTimeSetUp]
    public void RequireReference()
    {
        ReferenceServer.RequireInstalled();
    }

    private static async Task<(OurServer Ours, ReferenceServer Theirs, int TheirClientPort)> StartPairAsync(bool oursDials = true, bool theirsDials = true)
    {
        var ports = FreePorts.Take(3);
        var ours = await OurServer.StartAsync("ours1", oursDials ? Gateways.Block("OURS", ports[0], ("GO", ports[1])) : Gateways.Block("OURS", ports[0]));
        var goBlock = $"name: GO\nlisten: \"127.0.0.1:{ports[1]}\"\n" + (theirsDials ? $"gateways: [{Gateways.Remote("OURS", ports[0])}]" : "");
        var theirs = await ReferenceServer.StartAsync(Gateways.ReferenceConfig("go1", ports[2], goBlock), ports[2]);
        await ours.WaitForGatewayAsync("GO", TimeSpan.FromSeconds(20));
        return (ours, theirs, ports[2]);
    }

    [TestCase(true, true)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    public async Task Messages_cross_both_ways(bool oursDials, bool theirsDials)
    {
        var (ours, theirs, theirPort) = await StartPairAsync(oursDials, theirsDials);
        await using var _ = ours;
        await using var __ = theirs;
        await using var onOurs = await Gateways.ConnectAsync(ours.ClientUrl);
        await using var onTheirs = await Gateways.ConnectAsync($"nats://127.0.0.1:{theirPort}");
        await using var subTheirs = await onTheirs.SubscribeCoreAsync<string>("to.go");
        await using var subOurs = await onOurs.SubscribeCoreAsync<string>("to.ours.>");
        await Gateways.WaitForInterestAsync(onOurs, subTheirs, "to.go");
        await Gateways.WaitForInterestAsync(onTheirs, subOurs, "to.ours.x");

        for (var i = 0; i < 100; i++)
        {
            await onOurs.PublishAsync("to.go", $"m{i}");
            await onTheirs.PublishAsync($"to.ours.{i % 3}", $"n{i}");
        }
        Assert.That(await Gateways.ReadAsync(subTheirs, 100), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"m{i}")));
        Assert.That(await Gateways.ReadAsync(subOurs, 100), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"n{i}")));
    }

    [Test]
    public async Task Headers_cross_both_ways()
    {
        var (ours, theirs, theirPort) = await StartPairAsync();
        await using var _ = ours;
        await using var __ = theirs;
        await using var onOurs = await Gateways.ConnectAsync(ours.ClientUrl);
        await using var onTheirs = await Gateways.ConnectAsync($"nats://127.0.0.1:{theirPort}");
        await using var subTheirs = await onTheirs.SubscribeCoreAsync<string>("h.go");
        await using var subOurs = await onOurs.SubscribeCoreAsync<string>("h.ours");
        await Gateways.WaitForInterestAsync(onOurs, subTheirs, "h.go");
        await Gateways.WaitForInterestAsync(onTheirs, subOurs, "h.ours");

        await onOurs.PublishAsync("h.go", "body", headers: new NatsHeaders { ["X-From"] = "ours" });
        await onTheirs.PublishAsync("h.ours", "body", headers: new NatsHeaders { ["X-From"] = "go" });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var atTheirs = await subTheirs.Msgs.ReadAsync(cts.Token);
        var atOurs = await subOurs.Msgs.ReadAsync(cts.Token);
        Assert.That(atTheirs.Headers?["X-From"].ToString(), Is.EqualTo("ours"));
        Assert.That(atOurs.Headers?["X-From"].ToString(), Is.EqualTo("go"));
    }

    [Test]
    public async Task Requests_are_answered_both_ways()
    {
        var (ours, theirs, theirPort) = await StartPairAsync();
        await using var _ = ours;
        await using var __ = theirs;
        await using var onOurs = await Gateways.ConnectAsync(ours.ClientUrl);
        await using var onTheirs = await Gateways.ConnectAsync($"nats://127.0.0.1:{theirPort}");
        var services = new[]
        {
            await Serve(onOurs, "svc.ours", "ours"),
            await Serve(onTheirs, "svc.go", "go"),
        };
        await WaitAnsweredAsync(onOurs, "svc.go");
        await WaitAnsweredAsync(onTheirs, "svc.ours");

        for (var i = 0; i < 20; i++)
        {
            var fromGo = await onOurs.RequestAsync<string, string>("svc.go", $"q{i}", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(5) });
            Assert.That(fromGo.Data, Is.EqualTo($"go:q{i}"));
            var fromOurs = await onTheirs.RequestAsync<string, string>("svc.ours", $"p{i}", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(5) });
            Assert.That(fromOurs.Data, Is.EqualTo($"ours:p{i}"));
        }
        foreach (var service in services)
        {
            await service.DisposeAsync();
        }
    }

    [Test]
    public async Task Fresh_requesters_are_answered_at_once_through_reply_mapping()
    {
        // A requester that connects and asks right away has an inbox subscription younger than
        // 2 s: the reply travels as _GR_.<cluster>.<server>.<inbox> and comes straight back,
        // without waiting for the inbox interest to cross.
        var (ours, theirs, theirPort) = await StartPairAsync();
        await using var _ = ours;
        await using var __ = theirs;
        await using var onTheirs = await Gateways.ConnectAsync($"nats://127.0.0.1:{theirPort}");
        await using var onOurs = await Gateways.ConnectAsync(ours.ClientUrl);
        var service = await Serve(onTheirs, "svc.fresh", "go");
        await WaitAnsweredAsync(onOurs, "svc.fresh");
        await using var ourService = await Serve(onOurs, "svc.fresh.ours", "ours");
        await WaitAnsweredAsync(onTheirs, "svc.fresh.ours");

        for (var i = 0; i < 5; i++)
        {
            await using var fresh = await Gateways.ConnectAsync(ours.ClientUrl);
            var reply = await fresh.RequestAsync<string, string>("svc.fresh", $"f{i}", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(2) });
            Assert.That(reply.Data, Is.EqualTo($"go:f{i}"));
            await using var freshGo = await Gateways.ConnectAsync($"nats://127.0.0.1:{theirPort}");
            var back = await freshGo.RequestAsync<string, string>("svc.fresh.ours", $"g{i}", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(2) });
            Assert.That(back.Data, Is.EqualTo($"ours:g{i}"));
        }
        await service.DisposeAsync();
    }

    [Test]
    public async Task A_queue_group_prefers_local_members_on_either_side()
    {
        var (ours, theirs, theirPort) = await StartPairAsync();
        await using var _ = ours;
        await using var __ = theirs;
        await using var onOurs = await Gateways.ConnectAsync(ours.ClientUrl);
        await using var onTheirs = await Gateways.ConnectAsync($"nats://127.0.0.1:{theirPort}");
        await using var goMember = await onTheirs.SubscribeCoreAsync<string>("jobs", queueGroup: "q");
        await Gateways.WaitForInterestAsync(onOurs, goMember, "jobs");

        // Published on nats-server's side with a member there: ours never sees one.
        await using var ourMember = await onOurs.SubscribeCoreAsync<string>("jobs", queueGroup: "q");
        await onOurs.PingAsync();
        await Task.Delay(500);
        for (var i = 0; i < 30; i++)
        {
            await onTheirs.PublishAsync("jobs", $"go{i}");
        }
        Assert.That(await Gateways.ReadAsync(goMember, 30), Has.Count.EqualTo(30));
        // Published on ours: our member takes them all.
        for (var i = 0; i < 30; i++)
        {
            await onOurs.PublishAsync("jobs", $"ours{i}");
        }
        Assert.That(await Gateways.ReadAsync(ourMember, 30), Has.Count.EqualTo(30));
        await Task.Delay(300);
        Assert.That(goMember.Msgs.TryRead(out var extraGo) || ourMember.Msgs.TryRead(out var extraOurs), Is.False, "no extra copies");

        // Without our member, ours sends the group to nats-server's member.
        await ourMember.DisposeAsync();
        await onOurs.PingAsync();
        await Task.Delay(300);
        for (var i = 0; i < 30; i++)
        {
            await onOurs.PublishAsync("jobs", $"x{i}");
        }
        Assert.That(await Gateways.ReadAsync(goMember, 30), Is.EqualTo(Enumerable.Range(0, 30).Select(i => $"x{i}")));
    }

    private static async Task<INatsSub<string>> Serve(NatsConnection connection, string subject, string name)
    {
        var sub = await connection.SubscribeCoreAsync<string>(subject);
        _ = Task.Run(async () =>
        {
            await foreach (var msg in sub.Msgs.ReadAllAsync())
            {
                await msg.ReplyAsync($"{name}:{msg.Data}");
            }
        });
        return sub;
    }

    internal static Task WaitAnsweredAsync(NatsConnection requester, string subject) =>
        Eventually.TrueAsync(async () =>
        {
            try
            {
                await requester.RequestAsync<string, string>(subject, "warmup", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromMilliseconds(500) });
                return true;
            }
            catch (Exception e) when (e is NatsNoRespondersException or NatsNoReplyException)
            {
                return false;
            }
        }, $"{subject} answers across the gateway", TimeSpan.FromSeconds(15));
}
