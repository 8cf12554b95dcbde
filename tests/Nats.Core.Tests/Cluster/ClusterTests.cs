using Nats.Core.Config;

namespace Nats.Core.Tests.Cluster;

[TestFixture]
[CancelAfter(60_000)]
public sealed class ClusterTests
{
    private readonly List<NatsServer> _servers = [];

    [TearDown]
    public async Task StopServers()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        _servers.Clear();
    }

    private async Task<NatsServer> StartAsync(string name, params NatsServer[] seeds)
    {
        var options = new ServerOptions
        {
            Host = "127.0.0.1",
            Port = -1,
            ServerName = name,
            Cluster = new ClusterOptions
            {
                Name = "test",
                Host = "127.0.0.1",
                Port = -1,
                Routes = [.. seeds.Select(s => new Uri($"nats-route://127.0.0.1:{s.Routes!.Port}"))],
            },
        };
        var server = new NatsServer(options);
        await server.StartAsync();
        _servers.Add(server);
        return server;
    }

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

        await using var subscriber = await RawClient.ConnectAsync(b.Port);
        await subscriber.SendAsync("SUB foo.* 1\r\n");
        await subscriber.FlushAsync();
        await using var publisher = await RawClient.ConnectAsync(a.Port);
        // Interest propagates asynchronously: publish until the first message arrives.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!cts.IsCancellationRequested && a.Accounts.Global.Sublist.Count == 0)
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
}
