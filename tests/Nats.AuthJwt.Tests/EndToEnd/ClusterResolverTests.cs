using System.Text.Json;
using NATS.Client.Core;
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
}
