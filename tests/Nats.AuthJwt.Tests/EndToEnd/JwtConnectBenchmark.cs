using System.Diagnostics;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// Connects per second with JWT users (the "auth latency"): the same operator setup given
/// to the built host (this server with its plugins, out of process) and to nats-server 2.9.10;
/// <see cref="Connectors"/> concurrent raw clients each connect again and again as a creds client
/// does (INFO nonce signed with the user's nkey, CONNECT with jwt and sig, PING, PONG, close).
/// Explicit: a measurement, run with
/// <c>dotnet test tests/Nats.AuthJwt.Tests -c Release --no-build --filter Name~Jwt_connects_per_second --logger "console;verbosity=detailed"</c>.
/// </summary>
[TestFixture]
[Explicit("measurement")]
[CancelAfter(300_000)]
public sealed class JwtConnectBenchmark
{
    private const int Connectors = 8;
    private const int ConnectsPerConnector = 250;

    [Test]
    public async Task Jwt_connects_per_second()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var users = Enumerable.Range(0, Connectors).Select(i => setup.NewUser(account, $"u{i}")).ToArray();
        var accountJwt = setup.AccountJwt(account);

        await using (var ours = await ReferenceServer.StartHostAsync(setup.MemoryConfig(-1, accountJwt), TimeSpan.FromSeconds(60)))
        {
            await MeasureAsync("this server (built host)", ours.Port, users, 3);
        }
        if (ReferenceServer.FindBinary() is not null)
        {
            var port = FreePorts.Take();
            await using var reference = await ReferenceServer.StartAsync(setup.MemoryConfig(port, accountJwt), port);
            await MeasureAsync("nats-server 2.9.10", port, users, 3);
        }
    }

    private static async Task MeasureAsync(string what, int port, TestUser[] users, int rounds)
    {
        // A warm-up round (JIT, thread pool growth), then the measured ones.
        await RoundAsync(port, users, 100);
        for (var round = 0; round < rounds; round++)
        {
            var elapsed = Stopwatch.StartNew();
            var latencies = (await RoundAsync(port, users, ConnectsPerConnector)).SelectMany(l => l).Order().ToArray();
            elapsed.Stop();
            TestContext.Out.WriteLine($"{what}: {latencies.Length} JWT connects by {Connectors} clients in {elapsed.Elapsed.TotalMilliseconds:F0} ms = " +
                $"{latencies.Length / elapsed.Elapsed.TotalSeconds:F0} connects/s; connect to PONG p50 {latencies[latencies.Length / 2].TotalMilliseconds:F2} ms, " +
                $"p99 {latencies[(int)Math.Ceiling(latencies.Length * 0.99) - 1].TotalMilliseconds:F2} ms");
            Assert.That(latencies, Has.Length.EqualTo(Connectors * ConnectsPerConnector));
        }
    }

    private static Task<List<TimeSpan>[]> RoundAsync(int port, TestUser[] users, int connects) =>
        Task.WhenAll(users.Select(user => Task.Run(async () =>
        {
            var latencies = new List<TimeSpan>(connects);
            for (var i = 0; i < connects; i++)
            {
                var started = Stopwatch.StartNew();
                await using var client = await RawClient.ConnectAsync(port);
                await client.SendAsync(user.Connect(client.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
                await client.ExpectLineAsync("PONG");
                latencies.Add(started.Elapsed);
            }
            return latencies;
        })));
}
