using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>max_connections, max_subscriptions and max_subscription_tokens.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class LimitsTests
{
    [Test]
    public async Task ConnectionsBeyondMaxConnectionsAreRefusedAfterInfo()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxConnections = 2);
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();

        // nats-server sends INFO first, then the error, then closes.
        await using (var refused = await server.ConnectRawAsync())
        {
            await refused.ExpectErrAndCloseAsync("maximum connections exceeded");
        }

        await a.DisposeAsync();
        await TestServer.WaitUntilAsync(() => server.Server.Clients.Count == 1, "the server to notice the close");
        await using var c = await server.ConnectAsync();
        await b.PingAsync();
    }

    [Test]
    public async Task SubscriptionsBeyondTheLimitAreRefusedButTheConnectionStays()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSubscriptions = 2);
        await using var client = await server.ConnectAsync();
        await client.SendAsync("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n");
        await client.ExpectErrAsync("maximum subscriptions exceeded");
        await client.ExpectLineAsync("PONG");

        await client.SendAsync("PUB c 1\r\nx\r\n");
        await client.PingAsync(); // "c" was not subscribed

        await client.SendAsync("UNSUB 1\r\nSUB c 3\r\nPUB c 1\r\nx\r\n");
        await client.ExpectMsgAsync("c", "3", "x");
    }

    [Test]
    public async Task TheSubscriptionLimitIsPerConnection()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSubscriptions = 1);
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        await a.SendAsync("SUB x 1\r\n");
        await a.PingAsync();
        await b.SendAsync("SUB x 1\r\n");
        await b.PingAsync();
    }

    [Test]
    public async Task ReusingASidAtTheLimitIsStillRefused()
    {
        // nats-server checks the limit before it notices the sid is already in use.
        await using var server = await TestServer.StartAsync(o => o.MaxSubscriptions = 1);
        await using var client = await server.ConnectAsync();
        await client.SendAsync("SUB a 1\r\nSUB a 1\r\nPING\r\n");
        await client.ExpectErrAsync("maximum subscriptions exceeded");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task VerboseClientGetsTheErrorInsteadOfOk()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSubscriptions = 1);
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":true}\r\nSUB a 1\r\nSUB b 2\r\nPING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("+OK");
        await client.ExpectErrAsync("maximum subscriptions exceeded");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task SubjectsWithTooManyTokensAreRefused()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSubscriptionTokens = 3);
        await using var client = await server.ConnectAsync();
        await client.SendAsync("SUB a.b.c.d 1\r\nSUB a.*.> 2\r\nSUB a.b.c.> 3\r\nPING\r\n");
        await client.ExpectErrAsync("Permissions Violation for Subscription to \"a.b.c.d\", too many tokens");
        await client.ExpectErrAsync("Permissions Violation for Subscription to \"a.b.c.>\", too many tokens");
        await client.ExpectLineAsync("PONG");
        await client.SendAsync("PUB a.b.c 1\r\nx\r\n");
        await client.ExpectMsgAsync("a.b.c", "2", "x");
    }
}
