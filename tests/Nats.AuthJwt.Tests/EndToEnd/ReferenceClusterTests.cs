using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// A mixed cluster in operator mode: nats-server 2.9.10 and this server routed together, both
/// with a MEMORY resolver and the same preload, creds users (NATS.Net) on both sides. Messages
/// cross the route both ways within an account (the route names accounts by public key, which
/// both resolve from the same JWTs), another account sees none of them, and a user unknown to
/// the preload is refused by both.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ReferenceClusterTests
{
    private static NatsConnection Client(int port, string creds) => new(NatsOpts.Default with
    {
        Url = $"nats://127.0.0.1:{port}",
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        RequestTimeout = TimeSpan.FromSeconds(5),
    });

    [Test]
    public async Task Creds_users_on_nats_server_and_on_this_server_exchange_messages_across_the_route()
    {
        ReferenceServer.RequireInstalled();
        using var setup = new OperatorSetup();
        var a = setup.NewAccount("A");
        var b = setup.NewAccount("B");
        var preload = new[] { setup.AccountJwt(a), setup.AccountJwt(b) };
        var ports = FreePorts.Take(3); // theirs: client, cluster; ours: client
        await using var reference = await ReferenceServer.StartAsync(
            setup.MemoryConfig(ports[0], preload) + $"\nserver_name: go\ncluster {{ name: mixed, listen: 127.0.0.1:{ports[1]} }}\n", ports[0]);
        await using var ours = await JwtServer.StartAsync(
            setup.MemoryConfig(ports[2], preload) + $"\nserver_name: dotnet\ncluster {{ name: mixed, listen: 127.0.0.1:-1, routes: [\"nats-route://127.0.0.1:{ports[1]}\"] }}\n");
        await Eventually.TrueAsync(() => (ours.Server.Routes?.Routes.Count ?? 0) > 0, "the route to nats-server is up", TimeSpan.FromSeconds(15));

        await using var theirA = Client(ports[0], setup.NewUser(a, "go-a").CredsPath);
        await using var ourA = Client(ours.Port, setup.NewUser(a, "dotnet-a").CredsPath);
        await using var ourB = Client(ours.Port, setup.NewUser(b, "dotnet-b").CredsPath);
        await theirA.ConnectAsync();
        await ourA.ConnectAsync();
        await ourB.ConnectAsync();

        // B listens on the same subjects on our side: account isolation must hold across the route.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var intruder = await ourB.SubscribeCoreAsync<string>("greet.>", cancellationToken: cts.Token);
        await ourB.PingAsync(cts.Token);

        // Ours answers a request from nats-server's side, then the other way round (interest crosses the route shortly).
        Assert.That(await RequestAcrossAsync(responder: ourA, requester: theirA, "from go", cts.Token), Is.EqualTo("hello from go"));
        Assert.That(await RequestAcrossAsync(responder: theirA, requester: ourA, "from dotnet", cts.Token), Is.EqualTo("hello from dotnet"));

        await ourB.PingAsync(cts.Token);
        Assert.That(intruder.Msgs.TryRead(out _), Is.False, "account B saw a message of account A");
        Assert.That(ours.Server.Clients.Where(c => !string.IsNullOrEmpty(c.Options.Jwt)).Select(c => c.Account.Name),
            Is.EquivalentTo(new[] { a.Key.PublicKey, b.Key.PublicKey }));

        // A user of an account neither preload holds is refused by both servers.
        var stranger = setup.NewUser(setup.NewAccount("STRANGER"), "stranger");
        foreach (var port in new[] { ports[0], ours.Port })
        {
            await using var raw = await RawClient.ConnectAsync(port);
            await raw.SendAsync(stranger.Connect(raw.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
            await raw.ExpectErrAndCloseAsync("Authorization Violation");
        }
    }

    /// <summary>A responder on one side, requests from the other until the responder's interest has crossed the route.</summary>
    private static async Task<string> RequestAcrossAsync(NatsConnection responder, NatsConnection requester, string what, CancellationToken cancellationToken)
    {
        await using var subscription = await responder.SubscribeCoreAsync<string>("greet.>", cancellationToken: cancellationToken);
        var serving = Task.Run(async () =>
        {
            await foreach (var msg in subscription.Msgs.ReadAllAsync(cancellationToken))
            {
                await msg.ReplyAsync("hello " + msg.Data, cancellationToken: cancellationToken);
            }
        }, cancellationToken);
        await responder.PingAsync(cancellationToken);
        string? answer = null;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var reply = await requester.RequestAsync<string, string>("greet.x", what, replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(1) }, cancellationToken: cancellationToken);
                answer = reply.Data;
                return true;
            }
            catch (NatsNoRespondersException)
            {
                return false;
            }
            catch (NatsNoReplyException)
            {
                return false;
            }
        }, $"an answer to '{what}' across the route", TimeSpan.FromSeconds(20));
        await subscription.UnsubscribeAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return answer!;
    }
}
