using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Tests.Accounts;
using Nats.TestSupport;
using static Nats.Core.Tests.Accounts.Definitions;

namespace Nats.Core.Tests.Cluster;

/// <summary>
/// A route naming an account this server does not know (RS+, then RMSG) has it resolved
/// through the account resolver instead of dropping the interest.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class RouteAccountResolutionTests : ServersFixture
{
    private Task<NatsServer> StartAsync(string name, Action<NatsServer> configure, NatsServer? seed = null) =>
        StartAsync(TestCluster.Member(name, "test", seed is null ? [] : [seed]), beforeStart: server =>
        {
            server.AddAuthenticator(new AccountFromUserAuthenticator());
            configure(server);
        });

    [Test]
    public async Task Interest_in_an_unknown_account_is_resolved_and_messages_flow()
    {
        var a = await StartAsync("a", s => s.Accounts.Register(new AccountConfig { Name = "X" }));
        var resolver = new TableResolver();
        resolver.Accounts["X"] = new AccountConfig { Name = "X" };
        var b = await StartAsync("b", s => s.Accounts.AddAccountResolver(resolver), a);
        await TestServer.WaitUntilAsync(() => a.Routes!.Routes.Count == 1 && b.Routes!.Routes.Count == 1, "the route is up", TimeSpan.FromSeconds(15));

        await using var subscriber = await RawClient.ConnectAndHandshakeAsync(a.Port, Login("X/sub"));
        await subscriber.SendAsync("SUB orders.* 1\r\n");
        await subscriber.PingAsync();

        // b learns the interest over the route: it resolves X rather than dropping the RS+.
        await TestServer.WaitUntilAsync(() => b.Accounts.Find("X")?.Sublist.Count == 1 + 4, "b resolved X and holds a's interest (and its 4 system imports)", TimeSpan.FromSeconds(10));
        Assert.That(resolver.Calls, Is.EqualTo(1));

        await using var publisher = await RawClient.ConnectAndHandshakeAsync(b.Port, Login("X/pub"));
        await publisher.SendAsync(Wire.Pub("orders.new", "routed"));
        await subscriber.ExpectMsgAsync("orders.new", "1", "routed");
    }

    [Test]
    public async Task A_route_waiting_for_the_resolver_pauses_its_parsing_without_holding_its_thread()
    {
        var resolver = new TableResolver { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        resolver.Accounts["X"] = new AccountConfig { Name = "X" };
        var a = await StartAsync("a", s => s.Accounts.AddAccountResolver(resolver));
        await using var route = await RawClient.ConnectAsync(a.Routes!.Port);

        // One read: the first PONG is queued in the batch that meets RS+ and goes out when the
        // batch ends, which a read loop blocked in the resolver would not reach before it answered.
        await route.SendAsync("""CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"name":"peer","cluster":"test","headers":true}""" + "\r\n"
            + "PING\r\nRS+ X orders.*\r\nRMSG X orders.new 2\r\nhi\r\nPING\r\n");
        await resolver.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var asked = System.Diagnostics.Stopwatch.StartNew();
        await ReadUntilPongAsync(route);
        Assert.That(asked.Elapsed, Is.LessThan(AccountRegistry.ResolveTimeout), "answered while the resolver had not");
        Assert.That(a.Accounts.Find("X"), Is.Null, "still resolving");

        resolver.Gate.SetResult();
        await ReadUntilPongAsync(route);
        Assert.That(a.Accounts.Find("X")?.Sublist.HasInterest("orders.new"), Is.True, "the RS+ ran once X resolved");
        Assert.That(resolver.Calls, Is.EqualTo(1), "the RMSG found X known");
    }

    private static async Task ReadUntilPongAsync(RawClient route)
    {
        while (await route.ReadLineAsync() != "PONG")
        {
        }
    }
}
