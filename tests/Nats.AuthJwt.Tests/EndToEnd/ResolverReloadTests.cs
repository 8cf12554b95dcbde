using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>Reloads that change the account resolver, side by side with nats-server 2.9.10 (reloaded by SIGHUP).</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ResolverReloadTests
{
    /// <summary>
    /// nats-server 2.9.10 refuses only a move to or from having a resolver at all; a move from
    /// MEMORY to <c>full</c> it reports as reloaded, but the directory resolver it swaps in is never
    /// started (<c>configureResolver</c> without <c>Start</c>): its <c>$SYS.REQ.CLAIMS.*</c> handlers
    /// are not subscribed and accounts are then fetched from its empty directory. Here the change is
    /// refused, naming the key, and the memory resolver keeps serving; a restart changes the resolver.
    /// </summary>
    [Test]
    public async Task A_reload_from_a_memory_resolver_to_a_full_one_is_refused_where_nats_server_swaps_in_an_unstarted_one()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var accountJwt = setup.AccountJwt(account);

        var port = FreePorts.Take();
        await using (var ours = await JwtServer.StartAsync(setup.MemoryConfig(port, accountJwt)))
        {
            var result = ours.Server.Reload(JwtServer.Options(setup.FullResolverConfig(port, Path.Combine(setup.Directory, "ours"))));
            Assert.That(result.Success, Is.False);
            Assert.That(string.Join("; ", result.Errors), Is.EqualTo("resolver: config reload not supported for this section: it cannot change while the server runs"));
            Assert.That(await AfterAsync(setup, port, account), Is.EqualTo("list: no responders, A: connected"), "still the memory resolver");
        }

        ReferenceServer.RequireInstalled();
        var referencePort = FreePorts.Take();
        await using var reference = await ReferenceServer.StartAsync(setup.MemoryConfig(referencePort, accountJwt), referencePort);
        var logged = await reference.ReloadAsync(setup.FullResolverConfig(referencePort, Path.Combine(setup.Directory, "reference")));
        Assert.That(logged, Does.Contain("Reloaded server configuration").And.Not.Contain("Failed to reload"));
        Assert.That(await AfterAsync(setup, referencePort, account), Is.EqualTo("list: no responders, A: refused"),
            "nats-server's full resolver after the reload neither answers $SYS.REQ.CLAIMS.LIST nor finds the preloaded account");
    }

    /// <summary>Whether <c>$SYS.REQ.CLAIMS.LIST</c> (served by a started directory resolver) is answered, and whether a user of <paramref name="account"/> gets in.</summary>
    private static async Task<string> AfterAsync(OperatorSetup setup, int port, TestAccount account)
    {
        await using var system = setup.NewUser(setup.SystemAccount, "admin").Client(port);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string list;
        try
        {
            await system.RequestAsync<string, string>("$SYS.REQ.CLAIMS.LIST", "", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(2) }, cancellationToken: cts.Token);
            list = "answered";
        }
        catch (Exception e) when (e is NatsNoRespondersException or NatsNoReplyException)
        {
            list = "no responders";
        }
        var (client, first) = await ReferenceParity.LoginAsync(port, setup.NewUser(account, "later"));
        await client.DisposeAsync();
        return $"list: {list}, A: {(first == "PONG" ? "connected" : "refused")}";
    }
}
