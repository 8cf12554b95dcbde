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
        // The registry gives up on a resolver after AccountRegistry.ResolveTimeout (1.9 s). A read
        // loop blocked in the resolver answers the first PING only then, after the resolver's wait
        // was cancelled; a paused one answers it while the wait is still on. A machine too loaded
        // to read that PONG and open the gate within 1.9 s times the wait out too, which proves
        // nothing either way: that attempt is made again on a fresh server. A blocked read loop
        // fails every attempt.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            if (await AnswersWhileTheResolverWaitsAsync())
            {
                return;
            }
        }
        Assert.Fail("in 3 attempts the resolver's wait timed out before the route's first PONG was read: its read loop waits in the resolver");
    }

    /// <summary>One attempt: false when the resolver's wait timed out first (inconclusive).</summary>
    private async Task<bool> AnswersWhileTheResolverWaitsAsync()
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
        await ReadUntilPongAsync(route);
        if (resolver.GateTimedOut)
        {
            return false;
        }
        Assert.That(a.Accounts.Find("X"), Is.Null, "still resolving");

        resolver.Gate.SetResult();
        // The route parses on only once the resolution ended, so its second PONG comes after the
        // resolver's wait either saw the gate open or (the timeout winning the race) was cancelled.
        await ReadUntilPongAsync(route);
        if (resolver.GateTimedOut)
        {
            return false;
        }
        Assert.That(a.Accounts.Find("X")?.Sublist.HasInterest("orders.new"), Is.True, "the RS+ ran once X resolved");
        Assert.That(resolver.Calls, Is.EqualTo(1), "the RMSG found X known");
        return true;
    }

    private static async Task ReadUntilPongAsync(RawClient route)
    {
        while (await route.ReadLineAsync() != "PONG")
        {
        }
    }
}
