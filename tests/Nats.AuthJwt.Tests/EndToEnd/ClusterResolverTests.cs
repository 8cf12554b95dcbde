using System.Text.Json;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>Full directory resolvers of clustered servers agreeing over the system account: pushes, lookups, pack sync.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ClusterResolverTests
{
    private static NatsConnection Client(int port, string creds) => new(NatsOpts.Default with
    {
        Url = $"nats://127.0.0.1:{port}",
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    private static string Cluster(int own, int other) =>
        $"cluster {{ name: jwt, listen: 127.0.0.1:{own}, routes: [nats-route://127.0.0.1:{other}] }}";

    private static async Task WaitForRouteAsync(JwtServer a, JwtServer b) =>
        await Eventually.TrueAsync(() => (a.Server.Routes?.Routes.Count ?? 0) > 0 && (b.Server.Routes?.Routes.Count ?? 0) > 0, "the route is up", TimeSpan.FromSeconds(15));

    [Test]
    public async Task A_push_to_one_server_is_stored_by_both_and_a_jwt_only_one_holds_is_looked_up_and_synced()
    {
        using var setup = new OperatorSetup();
        var (dirA, dirB) = (Path.Combine(setup.Directory, "a"), Path.Combine(setup.Directory, "b"));
        var ports = FreePorts.Take(4);
        // Before start, B alone holds OLD's JWT, as a server that was up while A was down would.
        var old = setup.NewAccount("OLD");
        Directory.CreateDirectory(dirB);
        File.WriteAllText(Path.Combine(dirB, old.Key.PublicKey + ".jwt"), setup.AccountJwt(old));
        var synced = setup.NewAccount("SYNCED");
        File.WriteAllText(Path.Combine(dirB, synced.Key.PublicKey + ".jwt"), setup.AccountJwt(synced));

        await using var a = await JwtServer.StartAsync(setup.FullResolverConfig(ports[0], dirA, Cluster(ports[2], ports[3]), ", interval: \"1s\""));
        await using var b = await JwtServer.StartAsync(setup.FullResolverConfig(ports[1], dirB, Cluster(ports[3], ports[2]), ", interval: \"1s\""));
        await WaitForRouteAsync(a, b);
        // A's lookup goes out on the system account; it reaches B once B's interest crossed the route
        // (A's own responder is one match, B's the other): before that, A would wait in vain.
        var lookup = $"$SYS.REQ.ACCOUNT.{old.Key.PublicKey}.CLAIMS.LOOKUP";
        await Eventually.TrueAsync(() => a.Server.Accounts.System!.Sublist.Match(lookup).Fanout >= 2, "B's lookup responder is known at A", TimeSpan.FromSeconds(15));

        // A user of OLD connects to A: A asks the cluster and B answers.
        await using (var oldUser = Client(a.Port, setup.NewUser(old, "old").CredsPath))
        {
            await oldUser.ConnectAsync();
        }
        Assert.That(File.Exists(Path.Combine(dirA, old.Key.PublicKey + ".jwt")), Is.True, "the looked-up JWT is stored");

        // Pack sync brings SYNCED to A without anyone asking.
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(dirA, synced.Key.PublicKey + ".jwt")), "the pack sync merged B's JWT into A", TimeSpan.FromSeconds(15));

        // A push to A is stored by B too; B's users can connect.
        var fresh = setup.NewAccount("FRESH");
        await using var system = Client(a.Port, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await system.ConnectAsync();
        await Eventually.TrueAsync(async () =>
        {
            // The route carries the system account's interest shortly after it is up.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var reply = await system.RequestAsync<string, string>("$SYS.REQ.CLAIMS.UPDATE", setup.AccountJwt(fresh), cancellationToken: cts.Token);
            return JsonDocument.Parse(reply.Data!).RootElement.GetProperty("data").GetProperty("message").GetString() == "jwt updated"
                && File.Exists(Path.Combine(dirB, fresh.Key.PublicKey + ".jwt"));
        }, "both servers stored the pushed JWT", TimeSpan.FromSeconds(15));
        await using var freshUser = Client(b.Port, setup.NewUser(fresh, "fresh").CredsPath);
        await freshUser.ConnectAsync();
    }

    private static string Mesh(int own, params int[] others) =>
        $"cluster {{ name: jwt3, listen: 127.0.0.1:{own}, routes: [{string.Join(", ", others.Select(p => $"nats-route://127.0.0.1:{p}"))}] }}";

    /// <summary>
    /// Three servers with full resolvers, each routed to the other two. An account JWT pushed to one
    /// of them reaches the others through the system account (nats-server's servers all subscribe to
    /// <c>$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE</c> and the old <c>$SYS.ACCOUNT.*.CLAIMS.UPDATE</c>, so a
    /// push is heard cluster-wide): every store holds it, every server applies it to its live
    /// account (here: revoking the user connected to each server), and all agree on the JWT in force.
    /// </summary>
    [Test]
    public async Task Three_full_resolvers_agree_on_updates_pushed_to_any_of_them()
    {
        using var setup = new OperatorSetup();
        var dirs = new[] { "a", "b", "c" }.Select(d => Path.Combine(setup.Directory, d)).ToArray();
        var ports = FreePorts.Take(6);
        var servers = new JwtServer[3];
        for (var i = 0; i < 3; i++)
        {
            var others = Enumerable.Range(0, 3).Where(j => j != i).Select(j => ports[3 + j]).ToArray();
            servers[i] = await JwtServer.StartAsync(setup.FullResolverConfig(ports[i], dirs[i], Mesh(ports[3 + i], others)));
        }
        try
        {
            await Eventually.TrueAsync(() => servers.All(s => (s.Server.Routes?.Routes.Count ?? 0) >= 2), "a full mesh of routes", TimeSpan.FromSeconds(20));
            var account = setup.NewAccount("ACC");
            var key = account.Key.PublicKey;
            await using var system = Client(servers[0].Port, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
            await system.ConnectAsync();

            // 1. The first JWT, pushed to A on $SYS.REQ.CLAIMS.UPDATE, lands in all three stores.
            var first = setup.AccountJwt(account, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-3));
            await PushUntilStoredAsync(system, "$SYS.REQ.CLAIMS.UPDATE", first, dirs, key);

            // Users issued long ago (revoked below), one per server, and a keeper per server.
            var victims = new List<RawClient>();
            var keepers = new List<NatsConnection>();
            try
            {
                for (var i = 0; i < 3; i++)
                {
                    var victim = setup.NewUser(account, $"victim{i}", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-10));
                    var raw = await RawClient.ConnectAsync(servers[i].Port);
                    victims.Add(raw);
                    await raw.SendAsync(victim.Connect(raw.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
                    await raw.ExpectLineAsync("PONG");
                    var keeper = Client(servers[i].Port, setup.NewUser(account, $"keeper{i}").CredsPath);
                    keepers.Add(keeper);
                    await keeper.ConnectAsync();
                }
                Assert.That(servers.Select(s => s.Plugin.Accounts!.CurrentJwt(key)), Is.All.EqualTo(first), "every server resolved the pushed JWT");

                // 2. An update revoking the old users, pushed to B on the per-account subject: every
                //    server stores it, applies it, and disconnects its own victim.
                var revoking = setup.AccountJwt(account, a =>
                {
                    a.Nats.Revocations = new RevocationList();
                    a.Nats.Revocations.Revoke("*", DateTimeOffset.UtcNow.AddMinutes(-5));
                }, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-2));
                await using (var systemOnB = Client(servers[1].Port, setup.NewUser(setup.SystemAccount, "admin-b").CredsPath))
                {
                    await systemOnB.ConnectAsync();
                    await PushUntilStoredAsync(systemOnB, $"$SYS.REQ.ACCOUNT.{key}.CLAIMS.UPDATE", revoking, dirs, key);
                }
                foreach (var victim in victims)
                {
                    Assert.That(await victim.ReadUntilClosedAsync(), Does.Contain("-ERR 'User Authentication Revoked'"));
                }
                await Eventually.TrueAsync(() => servers.All(s => s.Plugin.Accounts!.CurrentJwt(key) == revoking), "every server applied the revoking update");

                // 3. A later update published (no reply) on the old subject to C reaches A and B too.
                var limited = setup.AccountJwt(account, a =>
                {
                    a.Nats.Revocations = new RevocationList();
                    a.Nats.Revocations.Revoke("*", DateTimeOffset.UtcNow.AddMinutes(-5));
                    a.Nats.Limits.Subs = 7;
                });
                await using (var systemOnC = Client(servers[2].Port, setup.NewUser(setup.SystemAccount, "admin-c").CredsPath))
                {
                    await systemOnC.ConnectAsync();
                    await systemOnC.PublishAsync($"$SYS.ACCOUNT.{key}.CLAIMS.UPDATE", limited);
                    await systemOnC.PingAsync();
                }
                await Eventually.TrueAsync(
                    () => servers.All(s => s.Plugin.Accounts!.CurrentJwt(key) == limited && s.Server.Accounts.Find(key)?.Limits.MaxSubscriptions == 7)
                        && dirs.All(d => File.ReadAllText(Path.Combine(d, key + ".jwt")) == limited),
                    "every server stored and applied the update published on C", TimeSpan.FromSeconds(15));

                // The keepers were never revoked and still talk across the cluster.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                foreach (var keeper in keepers)
                {
                    await keeper.PingAsync(cts.Token);
                }
                Assert.That(await MemoryResolverTests.RequestViaSubscriberAsync(keepers[0], keepers[2], "mesh"), Is.EqualTo("hello mesh"));
            }
            finally
            {
                foreach (var keeper in keepers)
                {
                    await keeper.DisposeAsync();
                }
                foreach (var victim in victims)
                {
                    await victim.DisposeAsync();
                }
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    // The system account's interest crosses the routes shortly after they are up: push until every store holds the JWT.
    private static Task PushUntilStoredAsync(NatsConnection system, string subject, string jwt, string[] dirs, string account) =>
        Eventually.TrueAsync(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var reply = await system.RequestAsync<string, string>(subject, jwt, cancellationToken: cts.Token);
            var path = account + ".jwt";
            return JsonDocument.Parse(reply.Data!).RootElement.GetProperty("data").GetProperty("message").GetString() == "jwt updated"
                && dirs.All(d => File.Exists(Path.Combine(d, path)) && File.ReadAllText(Path.Combine(d, path)) == jwt);
        }, $"every store holding the JWT pushed on {subject}", TimeSpan.FromSeconds(20));

    /// <summary>
    /// The cache resolver's <c>ttl</c>: a JWT is removed from the directory once the TTL passed since
    /// it was last used (nats-server's expiry timer, checking every half TTL); as in nats-server the
    /// account already in use stays, so its users still connect.
    /// </summary>
    [Test]
    public async Task The_cache_resolver_removes_jwts_after_their_ttl()
    {
        using var setup = new OperatorSetup();
        var dir = Path.Combine(setup.Directory, "cache");
        var account = setup.NewAccount("CACHED");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, account.Key.PublicKey + ".jwt");
        File.WriteAllText(path, setup.AccountJwt(account));
        var config = setup.FullResolverConfig(FreePorts.Take(), dir).Replace("type: full, dir: \"" + dir + "\", allow_delete: true", "type: cache, dir: \"" + dir + "\", ttl: \"1s\"");
        Assert.That(config, Does.Contain("type: cache"));
        await using var server = await JwtServer.StartAsync(config);

        await using (var first = Client(server.Port, setup.NewUser(account, "first").CredsPath))
        {
            await first.ConnectAsync();
        }
        await Eventually.TrueAsync(() => !File.Exists(path), "the cached JWT's file is removed after the ttl", TimeSpan.FromSeconds(15));
        await using var second = Client(server.Port, setup.NewUser(account, "second").CredsPath);
        await second.ConnectAsync();
        Assert.That(server.Server.Clients.Count(c => c.Account.Name == account.Key.PublicKey), Is.EqualTo(1));
    }
}
