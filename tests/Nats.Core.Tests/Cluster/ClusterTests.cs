using Nats.Core.Config;
using Nats.Core.Monitoring;
using Nats.TestSupport;

namespace Nats.Core.Tests.Cluster;

[TestFixture]
[CancelAfter(60_000)]
public sealed class ClusterTests : ServersFixture
{
    private Task<NatsServer> StartAsync(string name, params NatsServer[] seeds) => StartAsync(TestCluster.Member(name, "test", seeds));

    private static async Task WaitForRoutesAsync(NatsServer server, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (server.Routes!.Routes.Count != count)
        {
            await Task.Delay(20, cts.Token);
        }
    }

    [Test]
    public async Task ThreeServersFormAFullMeshFromOneSeed()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b", a);
        var c = await StartAsync("c", a);
        await WaitForRoutesAsync(a, 2);
        await WaitForRoutesAsync(b, 2);
        await WaitForRoutesAsync(c, 2);
        Assert.That(b.Routes!.Routes.Select(r => r.RemoteName), Is.EquivalentTo(new[] { "a", "c" }));
    }

    [Test]
    public async Task MessagesFlowBetweenMembers()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b", a);
        await WaitForRoutesAsync(a, 1);
        await WaitForRoutesAsync(b, 1);

        await using var subscriber = await RawClient.ConnectAndFlushAsync(b.Port);
        await subscriber.SendAsync("SUB foo.* 1\r\n");
        await subscriber.FlushAsync();
        await using var publisher = await RawClient.ConnectAndFlushAsync(a.Port);
        // Interest propagates asynchronously: publish until the first message arrives.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!cts.IsCancellationRequested && !a.Accounts.Global.Sublist.HasInterest("foo.bar"))
        {
            await Task.Delay(10);
        }
        await publisher.SendAsync("PUB foo.bar reply 5\r\nhello\r\n");
        var got = await subscriber.ExpectAsync("hello\r\n", TimeSpan.FromSeconds(5));
        Assert.That(got, Does.Contain("MSG foo.bar 1 reply 5\r\n"));
    }

    [Test]
    public async Task ConnectUrlsListEveryMember()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b", a);
        await WaitForRoutesAsync(a, 1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (a.Info.ConnectUrls.Count < 2)
        {
            await Task.Delay(10, cts.Token);
        }
        Assert.That(a.Info.ConnectUrls, Is.EquivalentTo(new[] { $"127.0.0.1:{a.Port}", $"127.0.0.1:{b.Port}" }));
    }

    private static async Task WaitForInterestAsync(NatsServer server, string subject, int expected = 1)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (server.Accounts.Global.Sublist.Match(subject).Fanout < expected)
        {
            await Task.Delay(10, cts.Token);
        }
    }

    private async Task<NatsServer[]> StartMeshAsync(int count)
    {
        var seed = await StartAsync("s0");
        var servers = new List<NatsServer> { seed };
        for (var i = 1; i < count; i++)
        {
            servers.Add(await StartAsync("s" + i, seed));
        }
        foreach (var server in servers)
        {
            await WaitForRoutesAsync(server, count - 1);
        }
        return [.. servers];
    }

    [Test]
    public async Task QueueGroupAcrossMembersDeliversEachMessageOnce()
    {
        var servers = await StartMeshAsync(3);
        var members = new List<RawClient>();
        foreach (var server in servers)
        {
            var member = await RawClient.ConnectAndFlushAsync(server.Port);
            await member.SendAsync("SUB work workers 1\r\n");
            await member.FlushAsync();
            members.Add(member);
        }
        foreach (var server in servers)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (server.Accounts.Global.Sublist.Match("work").QueueGroups is var groups && (groups.Length == 0 || groups[0].Count < 3))
            {
                await Task.Delay(10, cts.Token);
            }
        }
        await using var publisher = await RawClient.ConnectAndFlushAsync(servers[0].Port);
        for (var i = 0; i < 300; i++)
        {
            await publisher.SendAsync("PUB work 1\r\nx\r\n");
        }
        await publisher.FlushAsync();
        var counts = new List<int>();
        foreach (var member in members)
        {
            counts.Add(await member.CountAsync("MSG work", TimeSpan.FromMilliseconds(700)));
            await member.DisposeAsync();
        }
        Assert.That(counts.Sum(), Is.EqualTo(300), string.Join(",", counts));
        Assert.That(counts, Has.All.GreaterThan(0), "every member, local or remote, gets a share");
    }

    [Test]
    public async Task FanOutAcrossThreeMembersLosesAndDuplicatesNothing()
    {
        var servers = await StartMeshAsync(3);
        var subscribers = new List<RawClient>();
        foreach (var server in servers)
        {
            var subscriber = await RawClient.ConnectAndFlushAsync(server.Port);
            // Overlapping subscriptions on one connection: each gets its own copy, but a route
            // carries the message once however many of its subscriptions match.
            await subscriber.SendAsync("SUB fan.* 1\r\nSUB fan.> 2\r\n");
            await subscriber.FlushAsync();
            subscribers.Add(subscriber);
        }
        foreach (var server in servers)
        {
            await WaitForInterestAsync(server, "fan.x", 6);
        }
        await using var publisher = await RawClient.ConnectAndFlushAsync(servers[1].Port);
        const int messages = 2000;
        for (var i = 0; i < messages; i++)
        {
            await publisher.SendAsync($"PUB fan.x 6\r\n{i:D6}\r\n");
        }
        await publisher.FlushAsync();
        foreach (var subscriber in subscribers)
        {
            Assert.That(await subscriber.CountAsync("MSG fan.x 1 6", TimeSpan.FromSeconds(1)), Is.EqualTo(messages), "sid 1");
            await subscriber.DisposeAsync();
        }
    }

    [Test]
    public async Task InterestIsWithdrawnWhenTheClientLeaves()
    {
        var servers = await StartMeshAsync(2);
        var subscriber = await RawClient.ConnectAndFlushAsync(servers[1].Port);
        await subscriber.SendAsync("SUB gone 1\r\nSUB gone.q q 2\r\n");
        await subscriber.FlushAsync();
        await WaitForInterestAsync(servers[0], "gone");
        await WaitForInterestAsync(servers[0], "gone.q");
        await subscriber.DisposeAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // What stays are the 4 system imports every account has (core/SystemServices/SystemImports.cs).
        while (servers[0].Accounts.Global.Sublist.Count > 4)
        {
            await Task.Delay(10, cts.Token);
        }
        Assert.That(servers[0].Accounts.Global.Sublist.HasInterest("gone"), Is.False);
    }

    [Test]
    public async Task RequestReplyAndNoRespondersAcrossMembers()
    {
        var servers = await StartMeshAsync(2);
        await using var responder = await RawClient.ConnectAndFlushAsync(servers[1].Port);
        await responder.SendAsync("SUB service 1\r\n");
        await responder.FlushAsync();
        await WaitForInterestAsync(servers[0], "service");

        await using var requester = await RawClient.ConnectAndFlushAsync(servers[0].Port);
        await requester.SendAsync("SUB _INBOX.r 9\r\n");
        await requester.FlushAsync();
        await WaitForInterestAsync(servers[1], "_INBOX.r");
        await requester.SendAsync("PUB service _INBOX.r 4\r\nping\r\n");
        await responder.ExpectAsync("MSG service 1 _INBOX.r 4\r\nping\r\n", TimeSpan.FromSeconds(5));
        await responder.SendAsync("PUB _INBOX.r 4\r\npong\r\n");
        await requester.ExpectAsync("MSG _INBOX.r 9 4\r\npong\r\n", TimeSpan.FromSeconds(5));

        // Nobody anywhere listens on "nobody": the requester gets the 503 status at once.
        await requester.SendAsync("PUB nobody _INBOX.r 1\r\nx\r\n");
        await requester.ExpectAsync("NATS/1.0 503", TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task StoppedMemberRejoinsWhenRestarted()
    {
        var a = await StartAsync("a");
        var routePort = a.Routes!.Port;
        var b = await StartAsync("b", a);
        await WaitForRoutesAsync(b, 1);

        await a.ShutdownAsync();
        await WaitForRoutesAsync(b, 0);

        // Same route port: b keeps dialling its explicit route until a is back.
        var restarted = await StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = -1,
            ServerName = "a",
            Cluster = new ClusterOptions { Name = "test", Host = "127.0.0.1", Port = routePort },
        });
        await WaitForRoutesAsync(b, 1);
        await WaitForRoutesAsync(restarted, 1);

        await using var subscriber = await RawClient.ConnectAndFlushAsync(restarted.Port);
        await subscriber.SendAsync("SUB back 1\r\n");
        await subscriber.FlushAsync();
        await WaitForInterestAsync(b, "back");
        await using var publisher = await RawClient.ConnectAndFlushAsync(b.Port);
        await publisher.SendAsync("PUB back 2\r\nok\r\n");
        await subscriber.ExpectAsync("MSG back 1 2\r\nok\r\n", TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task ClientsLearnNewMembersThroughAsyncInfo()
    {
        var a = await StartAsync("a");
        await using var client = await RawClient.ConnectAndFlushAsync(a.Port);
        var b = await StartAsync("b", a);
        var info = await client.ExpectAsync("\r\n", TimeSpan.FromSeconds(10));
        Assert.That(info, Does.StartWith("INFO ").And.Contain($"127.0.0.1:{b.Port}"));
    }

    [Test]
    public async Task MismatchedClusterNamesDoNotJoin()
    {
        var a = await StartAsync("a");
        var other = await StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = -1,
            Cluster = new ClusterOptions { Name = "other", Host = "127.0.0.1", Port = -1, Routes = [new Uri($"nats-route://127.0.0.1:{a.Routes!.Port}")] },
        });
        await Task.Delay(500);
        Assert.That(a.Routes.Routes, Is.Empty);
        Assert.That(other.Routes!.Routes, Is.Empty);
    }

    [Test]
    public async Task RoutezListsRoutesWithTheirInterest()
    {
        var servers = await StartMeshAsync(2);
        await using var subscriber = await RawClient.ConnectAndFlushAsync(servers[1].Port);
        await subscriber.SendAsync("SUB watched 1\r\n");
        await subscriber.FlushAsync();
        await WaitForInterestAsync(servers[0], "watched");

        var json = MonitoringServer.Serialize(servers[0].Monitoring.Invoke("/routez", [new("subs", "1")]));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("num_routes").GetInt32(), Is.EqualTo(1));
        var route = root.GetProperty("routes")[0];
        Assert.That(route.GetProperty("remote_name").GetString(), Is.EqualTo("s1"));
        Assert.That(route.GetProperty("subscriptions_list").EnumerateArray().Select(e => e.GetString()), Does.Contain("watched"));

        var varz = System.Text.Json.JsonDocument.Parse(MonitoringServer.Serialize(servers[0].Monitoring.Invoke("/varz"))).RootElement;
        Assert.That(varz.GetProperty("routes").GetInt32(), Is.EqualTo(1));
        Assert.That(varz.GetProperty("cluster").GetProperty("name").GetString(), Is.EqualTo("test"));
    }
}
