using System.Text.Json;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Core.Tests.Cluster;

/// <summary>
/// Once a server's shutdown (or lame duck's last step) has begun, the routes it closes must not
/// make it push its own clients an INFO that lists fewer members: nats-server sends no async
/// INFO while shutting down, and a client told "only this server" forgets the others and
/// cannot fail over. Repeated, because the route closures race the client closures.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ShutdownInfoTests
{
    private const int Rounds = 12;

    [Test]
    public async Task ShuttingDownAMemberNeverShrinksItsClientsPool()
    {
        for (var round = 0; round < Rounds; round++)
        {
            await RunRoundAsync(round, lameDuck: false);
        }
    }

    [Test]
    public async Task LameDuckEndingInShutdownNeverShrinksItsClientsPool()
    {
        for (var round = 0; round < Rounds; round++)
        {
            await RunRoundAsync(round, lameDuck: true);
        }
    }

    private static async Task RunRoundAsync(int round, bool lameDuck)
    {
        var servers = new List<TestServer>();
        var clients = new List<RawClient>();
        try
        {
            servers.Add(await StartMemberAsync(null));
            servers.Add(await StartMemberAsync(servers[0]));
            servers.Add(await StartMemberAsync(servers[0]));
            foreach (var server in servers)
            {
                await TestServer.WaitUntilAsync(() => server.Server.Info.ConnectUrls.Count == 3, "a full mesh", TimeSpan.FromSeconds(15));
            }
            foreach (var server in servers)
            {
                // Several clients each, so the shutdown spends time closing them while routes close.
                for (var i = 0; i < 4; i++)
                {
                    var client = await server.ConnectAsync();
                    Assert.That(UrlCount(client.InfoLine!), Is.EqualTo(3));
                    clients.Add(client);
                }
            }

            var victim = servers[round % 3];
            var victimClients = clients.Skip(round % 3 * 4).Take(4).ToList();
            if (lameDuck)
            {
                await victim.Server.EnterLameDuckModeAsync();
            }
            else
            {
                await victim.Server.ShutdownAsync();
            }

            foreach (var client in victimClients)
            {
                var text = await client.ReadUntilClosedAsync();
                foreach (var line in text.Split("\r\n").Where(l => l.StartsWith("INFO ", StringComparison.Ordinal)))
                {
                    Assert.That(UrlCount(line), Is.EqualTo(3), $"round {round}: an INFO sent while the server shut down shrinks the pool: {line}");
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static Task<TestServer> StartMemberAsync(TestServer? seed) => TestServer.StartAsync(o =>
    {
        o.Cluster = new ClusterOptions
        {
            Name = "shutdown-info",
            Host = "127.0.0.1",
            Port = -1,
            Routes = seed is null ? [] : [new Uri($"nats-route://127.0.0.1:{seed.Server.Routes!.Port}")],
        };
        o.LameDuckGracePeriod = TimeSpan.Zero;
        o.LameDuckDuration = TimeSpan.FromMilliseconds(50);
    });

    private static int UrlCount(string infoLine)
    {
        var json = JsonDocument.Parse(infoLine["INFO ".Length..]).RootElement;
        return json.TryGetProperty("connect_urls", out var urls) ? urls.GetArrayLength() : 0;
    }
}
